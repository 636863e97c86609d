package jsonpath

import (
	"errors"
	"fmt"
)

// ErrTrailingData is returned by [Decode] when the input holds more than one
// JSON value.
var ErrTrailingData = errors.New("jsonpath: trailing data after JSON value")

// SyntaxError reports an expression that [Parse] rejects. Offset is the byte
// offset in Expr where the problem was found.
type SyntaxError struct {
	Expr   string
	Offset int
	Msg    string
}

// Error describes the problem and where it is.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("jsonpath: %s at offset %d in %q", e.Msg, e.Offset, e.Expr)
}

// NoMatchError reports a path that could not be evaluated against a document:
// a definite path that does not resolve, or any path whose evaluation Jayway
// JsonPath aborts (see the package documentation). Path is the expression as
// given to [Parse], so that the engine can compose AWS's message ("The JSONPath
// '$.foo' specified for the field 'InputPath' could not be found in the
// input ..."). Detail is Jayway's own wording of the failure, which AWS quotes
// for InputPath and OutputPath ("Invalid path '$.x' : No results for path:
// $['x']").
type NoMatchError struct {
	Path   string
	Detail string
}

// Error returns the path and Jayway's detail.
func (e *NoMatchError) Error() string {
	return fmt.Sprintf("jsonpath: %q: %s", e.Path, e.Detail)
}

// SetError reports a [Path.Set] that cannot be applied: the path is not a
// reference path, it walks into something that is not an object (or, for an
// index, not an array), or an index is out of range.
type SetError struct {
	Path string
	Msg  string
}

// Error returns the path and the reason.
func (e *SetError) Error() string {
	return fmt.Sprintf("jsonpath: cannot set %q: %s", e.Path, e.Msg)
}
