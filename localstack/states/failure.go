package states

import (
	"errors"
	"fmt"
)

// The States.* error names Step Functions raises itself.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
const (
	errALL                    = "States.ALL"
	errTimeout                = "States.Timeout"
	errHeartbeatTimeout       = "States.HeartbeatTimeout"
	errTaskFailed             = "States.TaskFailed"
	errRuntime                = "States.Runtime"
	errResultPathMatch        = "States.ResultPathMatchFailure"
	errParameterPath          = "States.ParameterPathFailure"
	errBranchFailed           = "States.BranchFailed"
	errNoChoiceMatched        = "States.NoChoiceMatched"
	errIntrinsicFailure       = "States.IntrinsicFailure"
	errExceedToleratedFailure = "States.ExceedToleratedFailureThreshold"
	errItemReaderFailed       = "States.ItemReaderFailed"
	errDataLimitExceeded      = "States.DataLimitExceeded"
	errQueryEvaluation        = "States.QueryEvaluationError"
)

// Failure is a state's failure as Step Functions sees it: an error name that
// Retry and Catch match on, and a cause. A Task's resource returns one to
// fail the state with that error; any other error a resource returns fails it
// with States.TaskFailed and the error's text as cause.
type Failure struct {
	Error string
	Cause string
	// heartbeat marks a States.Timeout that a missed heartbeat caused.
	heartbeat bool
	// aborted marks the end of a state whose context ended (a stop, a
	// timeout, a failed sibling): not a failure of its own.
	aborted bool
}

// Error formats the failure as "Error: Cause".
func (f *Failure) String() string {
	if f.Cause == "" {
		return f.Error
	}
	return f.Error + ": " + f.Cause
}

// failureError adapts a *Failure to the error interface without giving
// Failure an Error method, which would clash with its Error field.
type failureError struct{ f *Failure }

func (e failureError) Error() string { return "states: " + e.f.String() }

// AsError returns f as an error that [FailureOf] unwraps again; a Task's
// resource returns it to fail the state with f.
func (f *Failure) AsError() error { return failureError{f} }

// FailureOf returns the *Failure err carries, or nil.
func FailureOf(err error) *Failure {
	var fe failureError
	if errors.As(err, &fe) {
		return fe.f
	}
	return nil
}

func fail(name, format string, args ...any) *Failure {
	return &Failure{Error: name, Cause: fmt.Sprintf(format, args...)}
}

// runtimeFailure is a failure of the state itself, worded as AWS words them:
// "An error occurred while executing the state 'S' (entered at the event id #N). ...".
func runtimeFailure(name string, st *stateRun, format string, args ...any) *Failure {
	return &Failure{Error: name, Cause: fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). ", st.name, st.enteredID) + fmt.Sprintf(format, args...)}
}

// matches reports whether a Retrier's or Catcher's ErrorEquals matches f.
// From https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html:
// States.ALL matches any error but States.Runtime and States.DataLimitExceeded,
// which nothing catches; States.TaskFailed matches any error but
// States.Timeout. A missed heartbeat is reported as States.Timeout (as AWS
// records it: TaskTimedOut, then ExecutionFailed with States.Timeout) and is
// also matched by States.HeartbeatTimeout.
func matches(errorEquals []string, f *Failure) bool {
	if f.Error == errRuntime || f.Error == errDataLimitExceeded {
		return false
	}
	for _, name := range errorEquals {
		switch {
		case name == f.Error, name == errALL:
			return true
		case name == errHeartbeatTimeout && f.heartbeat:
			return true
		case name == errTaskFailed && f.Error != errTimeout:
			return true
		}
	}
	return false
}
