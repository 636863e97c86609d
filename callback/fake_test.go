package callback

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
)

// call is one recorded Step Functions call.
type call struct {
	Op     string
	Token  string
	Output string
	Error  string
	Cause  string
}

// fakeSFN records calls and answers them with the configured errors. It is
// safe for concurrent use, like the real client.
type fakeSFN struct {
	mu    sync.Mutex
	calls []call
	// ctxErrs records, per call, whether its context was already done.
	ctxErrs []error

	successErr   error
	failureErr   error
	heartbeatErr func(n int) error // n counts heartbeats from 1
	beats        chan int          // receives n after each heartbeat, if set
	nbeats       int
}

var _ API = (*fakeSFN)(nil)

func (f *fakeSFN) record(ctx context.Context, c call) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	f.ctxErrs = append(f.ctxErrs, ctx.Err())
}

func (f *fakeSFN) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

func (f *fakeSFN) SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, _ ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	f.record(ctx, call{Op: "SendTaskSuccess", Token: aws.ToString(in.TaskToken), Output: aws.ToString(in.Output)})
	if f.successErr != nil {
		return nil, f.successErr
	}
	return &sfn.SendTaskSuccessOutput{}, nil
}

func (f *fakeSFN) SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, _ ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error) {
	f.record(ctx, call{Op: "SendTaskFailure", Token: aws.ToString(in.TaskToken), Error: aws.ToString(in.Error), Cause: aws.ToString(in.Cause)})
	if f.failureErr != nil {
		return nil, f.failureErr
	}
	return &sfn.SendTaskFailureOutput{}, nil
}

func (f *fakeSFN) SendTaskHeartbeat(ctx context.Context, in *sfn.SendTaskHeartbeatInput, _ ...func(*sfn.Options)) (*sfn.SendTaskHeartbeatOutput, error) {
	f.record(ctx, call{Op: "SendTaskHeartbeat", Token: aws.ToString(in.TaskToken)})
	f.mu.Lock()
	f.nbeats++
	n := f.nbeats
	f.mu.Unlock()
	var err error
	if f.heartbeatErr != nil {
		err = f.heartbeatErr(n)
	}
	if f.beats != nil {
		select {
		case f.beats <- n:
		default:
		}
	}
	if err != nil {
		return nil, err
	}
	return &sfn.SendTaskHeartbeatOutput{}, nil
}

// Service errors as the SDK deserializes them.
var (
	errTimedOut      = &types.TaskTimedOut{Message: aws.String("Task Timed Out")}
	errDoesNotExist  = &types.TaskDoesNotExist{Message: aws.String("Task does not exist anymore")}
	errInvalidToken  = &types.InvalidToken{Message: aws.String("Invalid Token")}
	errInvalidOutput = &types.InvalidOutput{Message: aws.String("Invalid Output")}
	errUnavailable   = &smithy.GenericAPIError{Code: "ServiceUnavailable", Message: "try later", Fault: smithy.FaultServer}
)
