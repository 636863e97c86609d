package intrinsic

import (
	"errors"
	"fmt"
)

// StatesRuntime is the error name AWS Step Functions reports when an intrinsic
// function fails while the state runs. AWS does not use the spec's
// States.IntrinsicFailure here: executions fail with States.Runtime, which a
// Retry or Catch on States.ALL does not match.
const StatesRuntime = "States.Runtime"

// ErrInvalidArguments is wrapped by every [*Error] that AWS would report as
// "Invalid arguments in States.X" (wrong argument count, type, value or limit).
var ErrInvalidArguments = errors.New("intrinsic: invalid arguments")

// Error is a run-time failure of an intrinsic function call. Name is the error
// name the execution fails with ([StatesRuntime] unless a Resolve error of type
// *Error chose another one) and Cause the human-readable text; the engine
// prefixes Cause with "An error occurred while executing the state ..." as AWS
// does. Err, when set, is the underlying error: [ErrInvalidArguments] or the
// error returned by [Env.Resolve].
type Error struct {
	Name  string
	Cause string
	Err   error
}

// Error returns "Name: Cause".
func (e *Error) Error() string { return e.Name + ": " + e.Cause }

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.Err }

// SyntaxError reports an expression that AWS rejects when the state machine is
// created (InvalidDefinition, SCHEMA_VALIDATION_FAILED: "The value for the field
// 'x.$' must be a valid JSONPath or a valid intrinsic function call"). Offset is
// the byte offset in Expr where the problem was found.
type SyntaxError struct {
	Expr   string
	Offset int
	Msg    string
}

// Error describes the problem and where it is.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("intrinsic: %s at offset %d in %q", e.Msg, e.Offset, e.Expr)
}
