// Package invoke is the test bed's one in-process Lambda invocation: it runs a
// [lambda.Handler] the way the Lambda service and the Go runtime do, for the
// function host behind lambda:Invoke and for the local event-source mapping.
package invoke

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdakit/lambdakit/handler"
)

// DefaultTimeout is Lambda's default function timeout.
const DefaultTimeout = 3 * time.Second

// ErrFunctionTimeout is wrapped by the error of an invocation that ran past
// its function timeout. The test bed's packages export this one value.
var ErrFunctionTimeout = errors.New("localstack: function timed out")

// TimeoutErrorType is the errorType Lambda reports for a function timeout.
const TimeoutErrorType = "Sandbox.Timedout"

// traceKey is the string key under which aws-lambda-go stores the X-Ray trace
// header in an invocation's context; tracing libraries read it from there.
const traceKey = "x-amzn-trace-id"

// Request describes one invocation the way the Lambda service describes it to
// a runtime. Zero fields get Lambda's defaults: a fresh request id and trace
// header, and a 3 s timeout.
type Request struct {
	RequestID   string
	FunctionARN string
	TraceID     string
	Timeout     time.Duration
	Payload     []byte
}

// TimeoutError is the error of an invocation still running at its deadline.
type TimeoutError struct {
	RequestID string
	Timeout   time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", e.RequestID, e.Timeout.Seconds())
}

// Unwrap returns [ErrFunctionTimeout].
func (e *TimeoutError) Unwrap() error { return ErrFunctionTimeout }

// Call runs h as the Lambda Go runtime does. The handler's ctx carries a
// deadline Timeout from now, a [lambdacontext.LambdaContext] with the request
// id and function ARN, and the trace header. It returns the handler's output,
// or its error as returned, an error that errors.As finds a
// *[handler.PanicError] in for a panic, or a
// *[TimeoutError] for a handler still running at the deadline; that handler
// is left to notice its cancelled ctx (a goroutine cannot be killed, unlike
// Lambda's sandbox) and its result is ignored.
func Call(ctx context.Context, h lambda.Handler, req Request) ([]byte, error) {
	req = withDefaults(req)
	ctx, cancel := context.WithTimeout(ctx, req.Timeout)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       req.RequestID,
		InvokedFunctionArn: req.FunctionARN,
	})
	//lint:ignore SA1029 The key is aws-lambda-go's, not ours to choose.
	ctx = context.WithValue(ctx, traceKey, req.TraceID)

	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- result{err: &panicked{&handler.PanicError{Value: v, Stack: debug.Stack()}}}
			}
		}()
		out, err := h.Invoke(ctx, req.Payload)
		done <- result{out, err}
	}()
	select {
	case r := <-done:
		return r.out, r.err
	case <-ctx.Done():
		// A handler that returns at the same instant as the deadline still
		// counts as on time, as it would have had the chance to reply.
		select {
		case r := <-done:
			return r.out, r.err
		default:
		}
		return nil, &TimeoutError{RequestID: req.RequestID, Timeout: req.Timeout}
	}
}

func withDefaults(req Request) Request {
	if req.Timeout <= 0 {
		req.Timeout = DefaultTimeout
	}
	if req.RequestID == "" {
		req.RequestID = NewRequestID()
	}
	if req.TraceID == "" {
		req.TraceID = NewTraceID()
	}
	return req
}

// panicked marks a panic that Call recovered, as opposed to a
// *handler.PanicError the handler returned (handler.Recover does): Lambda
// names the first after the panic value and the second "PanicError".
// errors.As finds the *handler.PanicError inside.
type panicked struct{ p *handler.PanicError }

func (e *panicked) Error() string { return e.p.Error() }
func (e *panicked) Unwrap() error { return e.p }

// Document returns the error document Lambda reports for an error of [Call]:
// a [messages.InvokeResponse_Error] passes through; a timeout is
// Sandbox.Timedout; a panic is named after the panic value's type with its %v
// text, as aws-lambda-go reports it; any other error is named by
// [handler.ErrorType], the runtime's rule, which Step Functions' ErrorEquals
// matches on.
func Document(err error) *messages.InvokeResponse_Error {
	var te *TimeoutError
	if errors.As(err, &te) {
		return &messages.InvokeResponse_Error{Type: TimeoutErrorType, Message: te.Error()}
	}
	if pe, ok := err.(*panicked); ok {
		if e, ok := pe.p.Value.(error); ok {
			return Document(e)
		}
		return &messages.InvokeResponse_Error{Type: reflect.TypeOf(pe.p.Value).Name(), Message: fmt.Sprintf("%v", pe.p.Value)}
	}
	if ive, ok := err.(messages.InvokeResponse_Error); ok {
		return &ive
	}
	return &messages.InvokeResponse_Error{Type: handler.ErrorType(err), Message: err.Error()}
}

// NewRequestID returns a random UUID (version 4), the format of Lambda's
// request ids.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// NewTraceID returns an X-Ray trace header in the format Lambda passes to
// functions.
func NewTraceID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%x;Parent=%x;Sampled=0", time.Now().Unix(), b[:12], b[12:20])
}
