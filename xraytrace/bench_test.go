package xraytrace_test

import (
	"context"
	"testing"

	"github.com/aws/aws-xray-sdk-go/xray"
	"github.com/aws/aws-xray-sdk-go/xraylog"

	"github.com/lambdakit/lambdakit/handler"
)

// BenchmarkInvoke measures what the tracer adds to a warm invocation: the
// subsegment, two annotations and the UDP send to the daemon.
func BenchmarkInvoke(b *testing.B) {
	xray.SetLogger(xraylog.NullLogger)
	tests := []struct {
		name   string
		header string
	}{
		{"sampled", "Root=" + traceID + ";Parent=53995c3f42cd8ad8;Sampled=1"},
		{"not sampled", "Root=" + traceID + ";Parent=53995c3f42cd8ad8;Sampled=0"},
		{"untraced", ""},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			d := newDaemonB(b)
			tr := newTracer(b, d)
			h := handler.Chain(func(ctx context.Context, _ []byte) ([]byte, error) {
				handler.Annotate(ctx, "records_failed", 0)
				return nil, nil
			}, handler.ColdStart(), handler.Tracing(tr))
			ctx := invocationContext("req-1", tt.header)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h(ctx, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// newDaemonB is a daemon for benchmarks: it drains what it receives.
func newDaemonB(b *testing.B) *daemon {
	b.Helper()
	d := newDaemon(b)
	go func() {
		for range d.segs {
		}
	}()
	return d
}
