package handler_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/handler"
	"github.com/lambdakit/lambdakit/handler/handlertest"
)

func TestTracing(t *testing.T) {
	tr := &handlertest.Tracer{}
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
	spans := tr.Spans()
	if len(spans) != 1 {
		t.Fatalf("%d spans, want 1", len(spans))
	}
	s := spans[0]
	want := handler.Invocation{RequestID: "req-1", FunctionARN: "arn:aws:lambda:us-east-1:000000000000:function:f",
		TraceHeader: "Root=1-abc", ColdStart: true}
	if diff := cmp.Diff(want, s.Invocation); diff != "" {
		t.Errorf("Invocation (-want +got):\n%s", diff)
	}
	if !s.Ended || !errors.Is(s.Err, errBoom) || s.Annotations["records_failed"] != 2 {
		t.Errorf("span = %+v", s)
	}
	handler.Annotate(context.Background(), "ignored", 1) // no span: must not panic
}
