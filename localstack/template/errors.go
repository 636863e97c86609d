package template

import (
	"errors"
	"fmt"
	"strings"
)

// The sentinel errors an [*Error] wraps, to be checked with [errors.Is].
var (
	// ErrInvalid reports a template that CloudFormation or SAM would reject:
	// malformed YAML or JSON, a property of the wrong type, a parameter value
	// outside its AllowedValues, a missing required property.
	ErrInvalid = errors.New("template: invalid template")
	// ErrUnresolved reports a reference to nothing: a Ref, Fn::GetAtt or
	// ${Name} that names no parameter, resource or attribute, a
	// DefinitionSubstitutions placeholder with no value, or a reference to a
	// resource that is not deployed.
	ErrUnresolved = errors.New("template: unresolved reference")
	// ErrCycle reports resources, or conditions, that refer to each other in
	// a circle.
	ErrCycle = errors.New("template: circular reference")
	// ErrUnsupported reports what the test bed cannot do locally: an
	// intrinsic such as Fn::ImportValue or Fn::GetAZs, a definition in S3,
	// and the resource types and event sources of an [*UnsupportedError].
	ErrUnsupported = errors.New("template: not supported locally")
)

// Error reports a problem in a template, with where it is: the file and the
// line and column (0 when the problem has no single place), the logical ID
// of the resource, parameter, condition or output, and the property path
// under it, such as Events.Orders.Properties.BatchSize. Err wraps one of
// [ErrInvalid], [ErrUnresolved], [ErrCycle] or [ErrUnsupported], or an
// error of another package such as the output of a failed go build.
type Error struct {
	Path      string
	Line      int
	Column    int
	LogicalID string
	Property  string
	Err       error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("template: ")
	if e.Path != "" {
		b.WriteString(e.Path)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		fmt.Fprintf(&b, "line %d:%d: ", e.Line, e.Column)
	}
	if e.LogicalID != "" {
		b.WriteString(e.LogicalID)
		if e.Property != "" {
			b.WriteString("." + e.Property)
		}
		b.WriteString(": ")
	}
	b.WriteString(strings.TrimPrefix(e.Err.Error(), "template: "))
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// UnsupportedError lists, all at once, the resources and event sources of a
// template that the test bed does not deploy, such as AWS::Logs::LogGroup,
// IAM roles, APIs and Schedule or S3 events. [WithSkipUnsupported] deploys
// the rest instead and reports each skip in [Stack.Skipped]. It wraps
// [ErrUnsupported].
type UnsupportedError struct {
	// Resources holds one entry per resource or event source, in template
	// order, with Skipped saying what is unsupported.
	Resources []Resource
}

func (e *UnsupportedError) Error() string {
	parts := make([]string, len(e.Resources))
	for i, r := range e.Resources {
		parts[i] = r.LogicalID + " (" + r.Skipped + ")"
	}
	return fmt.Sprintf("template: %d resources not supported locally (WithSkipUnsupported deploys the rest): %s",
		len(parts), strings.Join(parts, ", "))
}

func (e *UnsupportedError) Unwrap() error { return ErrUnsupported }

// errAt returns an *Error at n's position wrapping err with a message.
func errAt(n *node, sentinel error, format string, args ...any) *Error {
	e := &Error{Err: errorf(sentinel, format, args...)}
	if n != nil {
		e.Line, e.Column = n.line, n.col
	}
	return e
}

// locate fills in the parts of err's position that are still empty. Errors of
// other types become an *Error at n.
func locate(err error, path, logicalID, property string, n *node) error {
	if err == nil {
		return nil
	}
	var te *Error
	if !errors.As(err, &te) {
		te = &Error{Err: err}
		err = te
	}
	if te.Path == "" {
		te.Path = path
	}
	if te.LogicalID == "" {
		te.LogicalID = logicalID
	}
	if te.Property == "" {
		te.Property = property
	}
	if te.Line == 0 && n != nil {
		te.Line, te.Column = n.line, n.col
	}
	return err
}

// errorf wraps sentinel with a message.
func errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}
