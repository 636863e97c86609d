package oteltrace_test

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/lambdakit/lambdakit/handler"
	"github.com/lambdakit/lambdakit/oteltrace"
)

// A function traced with OpenTelemetry. In Lambda the exporter would be OTLP
// to a collector extension; here it keeps the spans in memory.
func Example() {
	exporter := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(oteltrace.Resource()))
	tracer := oteltrace.New(tp, oteltrace.WithName("orders"))

	process := func(ctx context.Context, order struct{ Items int }) (string, error) {
		handler.Annotate(ctx, "lambdakit.items", order.Items)
		return "accepted", nil
	}
	h := handler.New(process, handler.Defaults(handler.WithTracer(tracer))...)
	out, err := h(context.Background(), []byte(`{"Items": 3}`))
	fmt.Println(string(out), err)

	// The invocation flushed its span before returning.
	for _, s := range exporter.GetSpans() {
		fmt.Println(s.Name, s.SpanKind)
		for _, kv := range s.Attributes {
			switch kv.Key {
			case "faas.coldstart", "faas.trigger", "lambdakit.items":
				fmt.Printf("  %s=%s\n", kv.Key, kv.Value.String())
			}
		}
	}
	tracer.Shutdown(context.Background()) // handler.OnShutdown(tracer.Shutdown) does this on SIGTERM
	// Output:
	// "accepted" <nil>
	// orders server
	//   faas.trigger=other
	//   faas.coldstart=true
	//   lambdakit.items=3
}
