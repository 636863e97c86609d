// Command otel is the init benchmark's function traced with the
// OpenTelemetry adapter, exporting OTLP over HTTP to
// OTEL_EXPORTER_OTLP_ENDPOINT. It flushes before it answers, or after the
// response (oteltrace's Tracer.Handler) when INITBENCH_OTEL_FLUSH=after.
package main

import (
	"context"
	"encoding/json"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/lambdakit/lambdakit/handler"
	"github.com/lambdakit/lambdakit/oteltrace"
)

func main() {
	ctx := context.Background()
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		log.Fatal(err)
	}
	res, err := resource.Merge(resource.Default(), oteltrace.Resource())
	if err != nil {
		log.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	tracer := oteltrace.New(tp)
	echo := func(_ context.Context, in json.RawMessage) (json.RawMessage, error) { return in, nil }
	h := handler.New(echo, handler.Defaults(handler.WithTracer(tracer))...)
	if os.Getenv("INITBENCH_OTEL_FLUSH") == "after" {
		lambda.StartWithOptions(tracer.Handler(h), handler.OnShutdown(tracer.Shutdown))
		return
	}
	handler.Start(h, handler.OnShutdown(tracer.Shutdown))
}
