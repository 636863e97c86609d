package oteltrace

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdakit/lambdakit/handler"
)

type deferKey struct{}

// flushDeferred reports whether [Tracer.Handler] flushes after the response
// of the invocation ctx belongs to.
func flushDeferred(ctx context.Context) bool {
	v, _ := ctx.Value(deferKey{}).(bool)
	return v
}

// Handler returns h as a handler function for lambda.StartWithOptions that
// moves the per-invocation flush off the response path: the span still ends
// when h returns, but the export waits until aws-lambda-go has posted the
// response to the Runtime API. aws-lambda-go closes a response that is an
// io.Closer after posting it and before asking for the next invocation, and
// Lambda does not freeze the environment before that, so the caller gets its
// answer without waiting for the export while the export still completes
// within the invocation (and is billed with it). A failed invocation has no
// response to close, so its spans are flushed before the error is returned.
//
//	tracer := oteltrace.New(tp)
//	h := handler.New(process, handler.Defaults(handler.WithTracer(tracer))...)
//	lambda.StartWithOptions(tracer.Handler(h), handler.OnShutdown(tracer.Shutdown))
//
// handler.Start takes a lambda.Handler, whose Invoke returns the response as
// bytes that aws-lambda-go copies before posting, so it cannot carry the
// flush; call lambda.StartWithOptions directly. aws-lambda-go decodes the
// payload as a json.RawMessage first, which Lambda's JSON events always are.
func (t *Tracer) Handler(h lambda.Handler) func(ctx context.Context, payload json.RawMessage) (io.Reader, error) {
	return func(ctx context.Context, payload json.RawMessage) (io.Reader, error) {
		deadline, hasDeadline := handler.Deadline(ctx)
		out, err := h.Invoke(context.WithValue(ctx, deferKey{}, true), payload)
		r := &flushingReader{t: t, deadline: deadline, hasDeadline: hasDeadline}
		if err != nil {
			r.Close()
			return nil, err
		}
		r.r = bytes.NewReader(out)
		return r, nil
	}
}

// flushingReader is a response that flushes the tracer when aws-lambda-go
// closes it. It has no exported field, so that aws-lambda-go, which first
// encodes a handler's result as JSON, gets "{}" and posts the reader as it is.
type flushingReader struct {
	r           *bytes.Reader
	t           *Tracer
	deadline    time.Time
	hasDeadline bool
}

func (f *flushingReader) Read(p []byte) (int, error) { return f.r.Read(p) }

// ContentType is the response's content type for aws-lambda-go; lambdakit's
// handlers answer JSON.
func (f *flushingReader) ContentType() string { return "application/json" }

// Close flushes the tracer within the flush timeout and the invocation's
// deadline, unless [WithFlushTimeout] turned the per-invocation flush off.
func (f *flushingReader) Close() error {
	if f.t.flushTimeout > 0 {
		f.t.flushBefore(f.deadline, f.hasDeadline)
	}
	return nil
}
