package callback

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/smithy-go"
)

// API is the part of the Step Functions client that callback uses, with the
// SDK's exact signatures, so a *sfn.Client satisfies it and tests can pass a
// small fake. Implementations must be safe for concurrent use: an SQS worker
// answers the records of a batch concurrently.
type API interface {
	SendTaskSuccess(ctx context.Context, params *sfn.SendTaskSuccessInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(ctx context.Context, params *sfn.SendTaskFailureInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error)
	SendTaskHeartbeat(ctx context.Context, params *sfn.SendTaskHeartbeatInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskHeartbeatOutput, error)
}

var _ API = (*sfn.Client)(nil)

// The error codes Step Functions answers a callback with when retrying cannot
// help. The first three mean the task is closed (timed out, already answered,
// its execution stopped) or never existed; InvalidOutput means the output was
// rejected as it is.
const (
	codeTaskTimedOut     = "TaskTimedOut"
	codeTaskDoesNotExist = "TaskDoesNotExist"
	codeInvalidToken     = "InvalidToken"
	codeInvalidOutput    = "InvalidOutput"
)

// errorCode returns the service error code of err, or "" when err is not a
// service error (a connection error, a cancelled context).
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// isGone reports whether err says the task can never be answered: it timed
// out, it was already answered, or the token is not one Step Functions issued.
func isGone(err error) bool {
	switch errorCode(err) {
	case codeTaskTimedOut, codeTaskDoesNotExist, codeInvalidToken:
		return true
	}
	return false
}

// isClosed reports whether err says the task is closed: it timed out or was
// answered. Unlike InvalidToken, that is proof enough to cancel work in
// progress.
func isClosed(err error) bool {
	switch errorCode(err) {
	case codeTaskTimedOut, codeTaskDoesNotExist:
		return true
	}
	return false
}

// isTerminal reports whether retrying the same call cannot succeed.
func isTerminal(err error) bool {
	return isGone(err) || errorCode(err) == codeInvalidOutput
}

// noTerminalRetries is a per-call client option. Transient failures
// (throttling, 5xx, connection errors) are retried by the client's own
// retryer, with its backoff, attempt limit and retry quota; callback adds no
// retry loop of its own. The SDK's standard retryer already treats the
// terminal codes, which come back as HTTP 400, as not retryable; this option
// makes that hold for any retryer the client was configured with (for example
// one widened with retry.AddWithErrorCodes, or an emulator that answers a
// terminal code with a 5xx), because retrying an answer to a closed task only
// delays the outcome.
func noTerminalRetries(o *sfn.Options) {
	if o.Retryer != nil {
		o.Retryer = terminalAwareRetryer{o.Retryer}
	}
}

// terminalAwareRetryer defers to the client's retryer except that terminal
// Step Functions errors are never retryable.
type terminalAwareRetryer struct{ aws.Retryer }

func (r terminalAwareRetryer) IsErrorRetryable(err error) bool {
	return !isTerminal(err) && r.Retryer.IsErrorRetryable(err)
}

// GetAttemptToken keeps the wrapped retryer's client-side rate limiting when
// it has any (aws.RetryerV2).
func (r terminalAwareRetryer) GetAttemptToken(ctx context.Context) (func(error) error, error) {
	if v2, ok := r.Retryer.(aws.RetryerV2); ok {
		return v2.GetAttemptToken(ctx)
	}
	return r.Retryer.GetInitialToken(), nil
}

var _ aws.RetryerV2 = terminalAwareRetryer{}
