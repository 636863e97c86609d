package handler_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdakit/lambdakit/handler"
)

type noopTracer struct{}

func (noopTracer) Start(ctx context.Context, _ handler.Invocation) (context.Context, handler.Span) {
	return ctx, noopSpan{}
}

type noopSpan struct{}

func (noopSpan) Annotate(string, any) {}
func (noopSpan) End(error)            {}

var benchPayload = []byte(`{"id":"order-12345678","total":92.5}`)

// invocationContext is what the runtime hands a handler: a deadline and the
// Lambda context.
func invocationContext(b *testing.B) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	b.Cleanup(cancel)
	return lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
}

// BenchmarkInvoke compares the same trivial handler invoked through plain
// aws-lambda-go and through lambdakit with every built-in middleware
// (ColdStart, Tracing with a no-op tracer, Logging at the default level,
// Recover, DeadlineMargin). Run both in one go:
//
//	go test -run '^$' -bench Invoke -benchmem -count 10 ./handler/
func BenchmarkInvoke(b *testing.B) {
	ctx := invocationContext(b)
	b.Run("aws-lambda-go", func(b *testing.B) {
		h := lambda.NewHandler(process)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := h.Invoke(ctx, benchPayload); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("lambdakit-all-middleware", func(b *testing.B) {
		h := handler.New(process, handler.Defaults(
			handler.WithTracer(noopTracer{}),
			handler.WithLogger(slog.New(slog.DiscardHandler)),
		)...)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := h.Invoke(ctx, benchPayload); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("lambdakit-no-middleware", func(b *testing.B) {
		h := handler.New(process)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := h.Invoke(ctx, benchPayload); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkChain measures the chain's own cost: ten pass-through middleware
// around a raw handler. It must report 0 allocs/op.
func BenchmarkChain(b *testing.B) {
	pass := func(next handler.HandlerFunc) handler.HandlerFunc {
		return func(ctx context.Context, p []byte) ([]byte, error) { return next(ctx, p) }
	}
	mws := make([]handler.Middleware, 10)
	for i := range mws {
		mws[i] = pass
	}
	h := handler.Chain(func(context.Context, []byte) ([]byte, error) { return nil, nil }, mws...)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = h(ctx, benchPayload)
	}
}
