package oteltrace_test

import (
	"context"
	"encoding/json"
	"log"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/lambdakit/lambdakit/handler"
	"github.com/lambdakit/lambdakit/oteltrace"
)

// childEnv names the variable that makes the test binary run as a Lambda
// function for TestFlushOrder; its value says how the function flushes.
const childEnv = "OTELTRACE_TEST_FUNCTION"

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		runFunction(mode)
		return
	}
	os.Exit(m.Run())
}

// runFunction is the function of TestFlushOrder: aws-lambda-go's runtime loop
// against the Runtime API in AWS_LAMBDA_RUNTIME_API, exporting OTLP to
// OTEL_EXPORTER_OTLP_ENDPOINT. It does not return.
func runFunction(mode string) {
	exporter, err := otlptracehttp.New(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter))
	tracer := oteltrace.New(tp)
	echo := func(_ context.Context, in json.RawMessage) (json.RawMessage, error) { return in, nil }
	h := handler.New(echo, handler.Defaults(handler.WithTracer(tracer))...)
	switch mode {
	case "after-response":
		lambda.StartWithOptions(tracer.Handler(h))
	default:
		handler.Start(h)
	}
}
