package handler

import (
	"context"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Tracer is the tracing hook: an adapter (lambdakit's xray or otel package, or
// your own) starts a span per invocation. The core has no tracing dependency.
// Implementations must be safe for concurrent use.
type Tracer interface {
	// Start begins the invocation's span. The returned context carries the
	// span for the rest of the chain, including AWS calls made with it.
	Start(ctx context.Context, inv Invocation) (context.Context, Span)
}

// Span is one invocation's span.
type Span interface {
	// Annotate records an outcome worth searching traces by, such as the
	// number of records that failed or whether a task was answered.
	Annotate(key string, value any)
	// End finishes the span with the invocation's error, nil on success.
	End(err error)
}

// Invocation describes the invocation a span is started for.
type Invocation struct {
	RequestID   string
	FunctionARN string
	// TraceHeader is the X-Ray trace header from the context (see [TraceID]).
	TraceHeader string
	ColdStart   bool
}

type spanKey struct{}

// Tracing starts a span with t around the rest of the chain and ends it with
// the invocation's error. Feature packages record outcomes on it with
// [Annotate].
func Tracing(t Tracer) Middleware {
	return func(next HandlerFunc) HandlerFunc {
		return func(ctx context.Context, payload []byte) ([]byte, error) {
			inv := Invocation{TraceHeader: TraceID(ctx), ColdStart: IsColdStart(ctx)}
			if lc, ok := lambdacontext.FromContext(ctx); ok {
				inv.RequestID, inv.FunctionARN = lc.AwsRequestID, lc.InvokedFunctionArn
			}
			ctx, span := t.Start(ctx, inv)
			ctx = context.WithValue(ctx, spanKey{}, span)
			out, err := next(ctx, payload)
			span.End(err)
			return out, err
		}
	}
}

// Annotate records key=value on the invocation's span, if [Tracing] started
// one; otherwise it does nothing, so library code can call it freely.
func Annotate(ctx context.Context, key string, value any) {
	if s, ok := ctx.Value(spanKey{}).(Span); ok {
		s.Annotate(key, value)
	}
}
