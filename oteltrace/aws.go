package oteltrace

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/lambdakit/lambdakit/handler"
)

// AWS call attributes the semantic conventions name but semconv v1.43.0 has
// no constant for.
const (
	awsRegionKey = attribute.Key("aws.region")
	rpcSystemAWS = "aws-api"
)

// InstrumentAWS makes every AWS SDK v2 client built from cfg record each call
// as a client span named "Service.Operation" (for example "SFN.SendTaskSuccess")
// with tracers from tp, a child of the span in the call's context: the
// invocation's span inside a handler. The span carries rpc.system.name,
// rpc.method, aws.region, aws.request_id, http.response.status_code and, on
// failure, the error status and error.type. Call it once, before building the
// clients.
//
// The OpenTelemetry contrib module for this, otelaws, is deprecated and no
// longer maintained (it also links the S3, SNS, SQS and DynamoDB clients for
// their attributes); its successor, the SDK's own tracing hook adapted by
// smithyoteltracing, is configured per client rather than on aws.Config. So
// lambdakit adds its own middleware, in the same steps otelaws used.
func InstrumentAWS(cfg *aws.Config, tp trace.TracerProvider) {
	m := awsSpans{tracer: tp.Tracer(ScopeName)}
	cfg.APIOptions = append(cfg.APIOptions, m.initialize, m.deserialize)
}

type awsSpans struct {
	tracer trace.Tracer
}

// initialize starts the span after the SDK's own initialize middleware, once
// the service and operation are known, and ends it when the call, retries
// included, returns.
func (m awsSpans) initialize(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("LambdakitOTelSpan", func(
		ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler,
	) (middleware.InitializeOutput, middleware.Metadata, error) {
		service, operation := awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx)
		ctx, span := m.tracer.Start(ctx, service+"."+operation,
			trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(
				semconv.RPCSystemNameKey.String(rpcSystemAWS),
				semconv.RPCMethod(service+"/"+operation),
				awsRegionKey.String(awsmiddleware.GetRegion(ctx)),
			))
		defer span.End()
		out, md, err := next.HandleInitialize(ctx, in)
		if err != nil {
			span.SetStatus(codes.Error, err.Error())
			span.SetAttributes(semconv.ErrorTypeKey.String(awsErrorType(err)))
		}
		return out, md, err
	}), middleware.After)
}

// deserialize records what the response says about each attempt.
func (awsSpans) deserialize(stack *middleware.Stack) error {
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("LambdakitOTelResponse", func(
		ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler,
	) (middleware.DeserializeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleDeserialize(ctx, in)
		span := trace.SpanFromContext(ctx)
		if resp, ok := out.RawResponse.(*smithyhttp.Response); ok {
			span.SetAttributes(semconv.HTTPResponseStatusCode(resp.StatusCode))
		}
		if id, ok := awsmiddleware.GetRequestIDMetadata(md); ok {
			span.SetAttributes(semconv.AWSRequestID(id))
		}
		return out, md, err
	}), middleware.Before)
}

// awsErrorType names a failed call by the service's error code
// ("TaskTimedOut", "ThrottlingException"), which says more than the SDK's
// wrapping *smithy.OperationError.
func awsErrorType(err error) string {
	if apiErr, ok := errors.AsType[smithy.APIError](err); ok {
		return apiErr.ErrorCode()
	}
	return handler.ErrorType(err)
}
