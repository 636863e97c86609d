package localstack

import (
	"context"
	"crypto/rand"
	"fmt"
	"reflect"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// defaultFunctionTimeout is Lambda's default function timeout.
const defaultFunctionTimeout = 3 * time.Second

// invocation is one call of a handler, described the way the Lambda service
// describes it to a runtime.
type invocation struct {
	requestID   string
	functionARN string
	timeout     time.Duration
	payload     []byte
}

// invokeHandler runs h the way the Lambda Go runtime does. The handler's ctx
// carries a deadline timeout from now and a [lambdacontext.LambdaContext] with
// the request id and function ARN. A returned error or a panic becomes the
// error document Lambda reports, named after the error's Go type; a handler
// still running at the deadline yields Sandbox.Timedout, as Lambda reports a
// function timeout, and is left to notice its cancelled ctx on its own
// (a goroutine cannot be killed, unlike Lambda's sandbox).
//
// It is shared by everything in this package that plays the Lambda service
// for an in-process handler.
func invokeHandler(ctx context.Context, h lambda.Handler, inv invocation) ([]byte, *messages.InvokeResponse_Error) {
	if inv.timeout <= 0 {
		inv.timeout = defaultFunctionTimeout
	}
	if inv.requestID == "" {
		inv.requestID = newRequestID()
	}
	ctx, cancel := context.WithTimeout(ctx, inv.timeout)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       inv.requestID,
		InvokedFunctionArn: inv.functionARN,
	})

	type result struct {
		out []byte
		err *messages.InvokeResponse_Error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- result{err: panicResponse(v)}
			}
		}()
		out, err := h.Invoke(ctx, inv.payload)
		if err != nil {
			done <- result{err: errorResponse(err)}
			return
		}
		done <- result{out: out}
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
		return nil, &messages.InvokeResponse_Error{
			Type: "Sandbox.Timedout",
			Message: fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds",
				inv.requestID, inv.timeout.Seconds()),
		}
	}
}

// errorResponse names err exactly as aws-lambda-go's runtime does (its helper
// is unexported): an error that already is a messages.InvokeResponse_Error
// passes through, otherwise the type is the error's Go type name without the
// pointer star and package, e.g. *mypkg.PaymentError -> "PaymentError". Step
// Functions' ErrorEquals matches on this name; wrapping does not change it,
// because the runtime does not unwrap either.
func errorResponse(err error) *messages.InvokeResponse_Error {
	if ive, ok := err.(messages.InvokeResponse_Error); ok {
		return &ive
	}
	return &messages.InvokeResponse_Error{Message: err.Error(), Type: typeName(err)}
}

// panicResponse reports a panic the way aws-lambda-go does: the panic
// value's type name and its %v text.
func panicResponse(v any) *messages.InvokeResponse_Error {
	if ive, ok := v.(messages.InvokeResponse_Error); ok {
		return &ive
	}
	return &messages.InvokeResponse_Error{Message: fmt.Sprintf("%v", v), Type: typeName(v)}
}

func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Pointer {
		return t.Elem().Name()
	}
	return t.Name()
}

// newRequestID returns a random UUID (version 4), the format of Lambda's
// request ids.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
