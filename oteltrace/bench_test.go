package oteltrace_test

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/lambdakit/lambdakit/handler"
	"github.com/lambdakit/lambdakit/oteltrace"
)

// BenchmarkInvoke measures what the tracer adds to a warm invocation: the
// span with its FaaS attributes, an annotation, and the flush to an exporter
// that does nothing (so the figure leaves the network out), or no flush.
func BenchmarkInvoke(b *testing.B) {
	tests := []struct {
		name string
		opts []oteltrace.Option
	}{
		{"flush each invocation", nil},
		{"no per-invocation flush", []oteltrace.Option{oteltrace.WithFlushTimeout(0)}},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discard{}))
			b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
			h := handler.Chain(func(ctx context.Context, _ []byte) ([]byte, error) {
				handler.Annotate(ctx, "lambdakit.records_failed", 0)
				return nil, nil
			}, handler.ColdStart(), handler.Tracing(oteltrace.New(tp, tt.opts...)))
			ctx := invocationContext("req-1", traceHeader)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h(ctx, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// discard is an exporter that drops the spans.
type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

var _ sdktrace.SpanExporter = discard{}
