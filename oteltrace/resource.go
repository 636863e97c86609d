package oteltrace

import (
	"os"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// Resource describes the function per the FaaS semantic conventions:
// cloud.provider, cloud.platform, cloud.region, faas.name, faas.version,
// faas.instance (the log stream) and faas.max_memory, in bytes. It reads the
// variables Lambda sets (AWS_REGION, AWS_LAMBDA_FUNCTION_NAME and the others),
// and leaves out those that are unset. Merge it into the resource of the
// TracerProvider given to [New]:
//
//	res, _ := resource.Merge(resource.Default(), oteltrace.Resource())
//	tp := sdktrace.NewTracerProvider(sdktrace.WithResource(res), ...)
func Resource() *resource.Resource {
	attrs := []attribute.KeyValue{semconv.CloudProviderAWS, semconv.CloudPlatformAWSLambda}
	add := func(kv attribute.KeyValue) {
		if kv.Value.AsString() != "" {
			attrs = append(attrs, kv)
		}
	}
	add(semconv.CloudRegion(os.Getenv("AWS_REGION")))
	add(semconv.FaaSName(lambdacontext.FunctionName))
	add(semconv.FaaSVersion(lambdacontext.FunctionVersion))
	add(semconv.FaaSInstance(lambdacontext.LogStreamName))
	if mb := lambdacontext.MemoryLimitInMB; mb > 0 {
		attrs = append(attrs, semconv.FaaSMaxMemory(mb<<20))
	}
	return resource.NewWithAttributes(semconv.SchemaURL, attrs...)
}
