package callback

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/lambdakit/lambdakit/handler"
)

// Error names that callback itself gives a task it fails. They carry the
// lambdakit. prefix, in the style of Step Functions' own States.* names, so
// they cannot collide with a Go type name; a state machine can Catch them.
const (
	// NameOutputTooLarge fails a task whose output, encoded as JSON, is larger
	// than Step Functions accepts (262,144 bytes). See [OutputTooLargeError].
	NameOutputTooLarge = "lambdakit.OutputTooLarge"
	// NameInvalidOutput fails a task whose output Step Functions rejected as
	// invalid, so the workflow does not wait for an answer that cannot come.
	NameInvalidOutput = "lambdakit.InvalidOutput"
)

// Step Functions limits, from the SendTaskSuccess and SendTaskFailure API
// reference.
const (
	maxOutputBytes = 262144
	maxErrorLen    = 256
	maxCauseLen    = 32768
)

// ErrTaskGone matches, with errors.Is, a [*DeliveryError] whose task can
// never be answered: Step Functions said TaskTimedOut, TaskDoesNotExist or
// InvalidToken. The task timed out, its execution ended, it was answered
// before (a duplicate delivery, or an earlier attempt of the same call that
// landed although its response was lost), or the token is not one Step
// Functions issued. Retrying or redelivering cannot help.
var ErrTaskGone = errors.New("callback: task timed out, already closed, or unknown")

// Error is an error the work returns to fail its task with a chosen name,
// which a state machine's Catch or Retry matches in ErrorEquals, and cause.
// Err, when set, is the underlying error; it is the cause when Cause is empty.
//
//	return Out{}, &callback.Error{Name: "OrderRejected", Cause: "card declined"}
type Error struct {
	Name  string
	Cause string
	Err   error
}

func (e *Error) Error() string {
	cause := e.cause()
	if cause == "" {
		return e.Name
	}
	return e.Name + ": " + cause
}

func (e *Error) Unwrap() error { return e.Err }

func (e *Error) cause() string {
	if e.Cause == "" && e.Err != nil {
		return e.Err.Error()
	}
	return e.Cause
}

// Namer is implemented by errors that declare the name their task fails
// with; the cause is the error's message. It lets a domain error type keep
// its own Go name and still give Step Functions a stable one.
type Namer interface {
	error
	ErrorName() string
}

// TaskFailedError is what [Run] returns when the work failed and Step
// Functions has been told so: the task failed with Name and Cause (as sent,
// after cutting to the API limits). Err is the work's error, reachable with
// errors.Is and errors.As through Unwrap.
type TaskFailedError struct {
	Name  string
	Cause string
	Err   error
}

func (e *TaskFailedError) Error() string {
	return fmt.Sprintf("callback: task failed with %s: %v", e.Name, e.Err)
}

func (e *TaskFailedError) Unwrap() error { return e.Err }

// DeliveryError reports an answer or heartbeat that did not reach Step
// Functions. When errors.Is(err, [ErrTaskGone]) the task is closed and the
// answer will never be needed; otherwise the client's retryer gave up on a
// transient failure and a later attempt (an SQS redelivery, a Lambda retry)
// may succeed.
type DeliveryError struct {
	// Op is the API operation: SendTaskSuccess, SendTaskFailure or
	// SendTaskHeartbeat.
	Op string
	// Token identifies the task token by a short hash, never in full.
	Token string
	// Work is the work's error when the answer was a failure, else nil.
	Work error
	// Err is the client's error.
	Err error
}

func (e *DeliveryError) Error() string {
	return fmt.Sprintf("callback: %s for task %s: %v", e.Op, e.Token, e.Err)
}

func (e *DeliveryError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrTaskGone) true for terminal token errors.
func (e *DeliveryError) Is(target error) bool { return target == ErrTaskGone && isGone(e.Err) }

// MissingTokenError reports a payload or SQS message in which no task token
// was found where the options say to look. Without a token nothing can be
// answered, so an SQS worker returns it and the message ends in the queue's
// dead-letter queue after its retries.
type MissingTokenError struct {
	// Looked lists the places searched: JSON paths ("TaskToken",
	// "detail.token") and message attributes ("attribute TaskToken").
	Looked []string
	// Reason says what was wrong when a candidate was found but was not a
	// non-empty string, or the payload was not a JSON object; else "".
	Reason string
}

func (e *MissingTokenError) Error() string {
	msg := "callback: no task token in " + strings.Join(e.Looked, ", ")
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// OutputTooLargeError is the work's result when its JSON output exceeds what
// SendTaskSuccess accepts. The output is never truncated, since a cut JSON
// document is not JSON and a partial result is worse than none: the task is
// failed with [NameOutputTooLarge] instead.
type OutputTooLargeError struct {
	// Size is the output's size in bytes; Limit is the largest accepted.
	Size, Limit int
}

func (e *OutputTooLargeError) Error() string {
	return fmt.Sprintf("callback: task output is %d bytes, more than the %d Step Functions accepts", e.Size, e.Limit)
}

// ErrorName makes the task fail as lambdakit.OutputTooLarge.
func (e *OutputTooLargeError) ErrorName() string { return NameOutputTooLarge }

// describe returns the error name and cause a failed task is answered with,
// within the API limits: the Name and Cause of an [*Error] in err's chain,
// else the name an error in the chain declares ([Namer]) with err's message,
// else the name the Lambda runtime would report for err (its Go type name),
// so a Catch written for a plain Lambda task matches the callback form too.
func describe(err error) (name, cause string) {
	var ce *Error
	var n Namer
	switch {
	case errors.As(err, &ce):
		name, cause = ce.Name, ce.cause()
	case errors.As(err, &n):
		name, cause = n.ErrorName(), err.Error()
	default:
		name, cause = handler.ErrorType(err), err.Error()
	}
	if name == "" {
		name = "Error" // an unnamed type; ErrorEquals cannot match "".
	}
	return clip(name, maxErrorLen, ""), clip(cause, maxCauseLen, "…")
}

// clip returns s as valid UTF-8 (invalid bytes become U+FFFD), cut at a
// character boundary so that it is at most limit long, with mark appended
// when it was cut. Length is counted in UTF-16 code units, where a character
// outside the Basic Multilingual Plane (an emoji) counts two: AWS APIs
// measure string length that way, and the cut then also fits a limit counted
// in characters.
func clip(s string, limit int, mark string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= limit { // every UTF-16 unit takes at least one byte
		return s
	}
	if utf16Len(s) <= limit {
		return s
	}
	budget := limit - utf16Len(mark)
	n := 0
	for i, r := range s {
		w := 1
		if r > 0xFFFF {
			w = 2
		}
		if n+w > budget {
			return s[:i] + mark
		}
		n += w
	}
	return s + mark // unreachable: s is longer than limit
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}
