package handler_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/handler"
)

type fakeSpan struct {
	inv         handler.Invocation
	annotations map[string]any
	ended       bool
	err         error
}

func (s *fakeSpan) Annotate(k string, v any) { s.annotations[k] = v }
func (s *fakeSpan) End(err error)            { s.ended, s.err = true, err }

type fakeTracer struct {
	mu    sync.Mutex
	spans []*fakeSpan
}

func (f *fakeTracer) Start(ctx context.Context, inv handler.Invocation) (context.Context, handler.Span) {
	s := &fakeSpan{inv: inv, annotations: map[string]any{}}
	f.mu.Lock()
	f.spans = append(f.spans, s)
	f.mu.Unlock()
	return ctx, s
}

func TestTracing(t *testing.T) {
	tr := &fakeTracer{}
	errBoom := errors.New("boom")
	h := handler.Chain(func(ctx context.Context, _ []byte) ([]byte, error) {
		handler.Annotate(ctx, "records_failed", 2)
		return nil, errBoom
	}, handler.Defaults(handler.WithTracer(tr))...)
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{
		AwsRequestID: "req-1", InvokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:f",
	})
	//lint:ignore SA1029 aws-lambda-go's own context key is this string.
	ctx = context.WithValue(ctx, "x-amzn-trace-id", "Root=1-abc")
	_, _ = h(ctx, nil)
	if len(tr.spans) != 1 {
		t.Fatalf("%d spans, want 1", len(tr.spans))
	}
	s := tr.spans[0]
	want := handler.Invocation{RequestID: "req-1", FunctionARN: "arn:aws:lambda:us-east-1:000000000000:function:f",
		TraceHeader: "Root=1-abc", ColdStart: true}
	if diff := cmp.Diff(want, s.inv); diff != "" {
		t.Errorf("Invocation (-want +got):\n%s", diff)
	}
	if !s.ended || !errors.Is(s.err, errBoom) || s.annotations["records_failed"] != 2 {
		t.Errorf("span = %+v", s)
	}
	handler.Annotate(context.Background(), "ignored", 1) // no span: must not panic
}
