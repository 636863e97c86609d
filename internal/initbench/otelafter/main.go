// Command otelafter is the otel function of the init benchmark with the
// flush moved after the response by oteltrace's Tracer.Handler.
package main

import (
	"context"
	"encoding/json"
	"log"

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
	lambda.StartWithOptions(tracer.Handler(h), handler.OnShutdown(tracer.Shutdown))
}
