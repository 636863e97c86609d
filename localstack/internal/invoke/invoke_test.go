package invoke

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lambdakit/lambdakit/handler"
)

type ValueError struct{}

func (ValueError) Error() string { return "value" }

type PointerError struct{ msg string }

func (e *PointerError) Error() string { return e.msg }

// invokeFunc adapts a function to lambda.Handler for these tests.
type invokeFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f invokeFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

var _ lambda.Handler = invokeFunc(nil)

func TestCallErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler invokeFunc
		want    *messages.InvokeResponse_Error
	}{
		{
			name:    "pointer error loses the star and the package",
			handler: func(context.Context, []byte) ([]byte, error) { return nil, &PointerError{"declined"} },
			want:    &messages.InvokeResponse_Error{Type: "PointerError", Message: "declined"},
		},
		{
			name:    "value error",
			handler: func(context.Context, []byte) ([]byte, error) { return nil, ValueError{} },
			want:    &messages.InvokeResponse_Error{Type: "ValueError", Message: "value"},
		},
		{
			name: "wrapped error is named by its outer type, as the runtime does",
			handler: func(context.Context, []byte) ([]byte, error) {
				return nil, fmt.Errorf("charge: %w", &PointerError{"x"})
			},
			want: &messages.InvokeResponse_Error{Type: "wrapError", Message: "charge: x"},
		},
		{
			name:    "errors.New",
			handler: func(context.Context, []byte) ([]byte, error) { return nil, errors.New("plain") },
			want:    &messages.InvokeResponse_Error{Type: "errorString", Message: "plain"},
		},
		{
			name: "InvokeResponse_Error passes through",
			handler: func(context.Context, []byte) ([]byte, error) {
				return nil, messages.InvokeResponse_Error{Type: "Custom.Name", Message: "m"}
			},
			want: &messages.InvokeResponse_Error{Type: "Custom.Name", Message: "m"},
		},
		{
			name: "a returned *handler.PanicError is named PanicError, as the runtime names it",
			handler: func(context.Context, []byte) ([]byte, error) {
				return nil, &handler.PanicError{Value: "recovered by middleware"}
			},
			want: &messages.InvokeResponse_Error{Type: "PanicError", Message: "handler: panic: recovered by middleware"},
		},
		{
			name:    "panic with a string",
			handler: func(context.Context, []byte) ([]byte, error) { panic("boom") },
			want:    &messages.InvokeResponse_Error{Type: "string", Message: "boom"},
		},
		{
			name:    "panic with an error",
			handler: func(context.Context, []byte) ([]byte, error) { panic(&PointerError{"bad state"}) },
			want:    &messages.InvokeResponse_Error{Type: "PointerError", Message: "bad state"},
		},
		{
			name: "deadline passed",
			handler: func(ctx context.Context, _ []byte) ([]byte, error) {
				<-ctx.Done()
				time.Sleep(50 * time.Millisecond)
				return []byte(`"late"`), nil
			},
			want: &messages.InvokeResponse_Error{Type: "Sandbox.Timedout", Message: "RequestId: req-1 Error: Task timed out after 0.05 seconds"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := Call(t.Context(), tt.handler, Request{RequestID: "req-1", Timeout: 50 * time.Millisecond})
			got := Document(err)
			if out != nil {
				t.Errorf("output = %q, want none", out)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(messages.InvokeResponse_Error{}, "StackTrace", "ShouldExit")); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCallContext(t *testing.T) {
	t.Parallel()
	var (
		lc       *lambdacontext.LambdaContext
		deadline time.Time
	)
	h := invokeFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		lc, _ = lambdacontext.FromContext(ctx)
		deadline, _ = ctx.Deadline()
		return payload, nil
	})
	before := time.Now()
	out, ferr := Call(t.Context(), h, Request{
		FunctionARN: "arn:aws:lambda:us-east-1:123456789012:function:f",
		Timeout:     7 * time.Second,
		Payload:     []byte(`{"a":1}`),
	})
	if ferr != nil {
		t.Fatal(ferr)
	}
	if string(out) != `{"a":1}` {
		t.Errorf("output = %s", out)
	}
	if lc == nil || lc.InvokedFunctionArn != "arn:aws:lambda:us-east-1:123456789012:function:f" || len(lc.AwsRequestID) != 36 {
		t.Errorf("lambdacontext = %+v, want the ARN and a generated UUID request id", lc)
	}
	if d := deadline.Sub(before); d <= 6*time.Second || d > 8*time.Second {
		t.Errorf("deadline %v after the call, want the 7s function timeout", d)
	}
}
