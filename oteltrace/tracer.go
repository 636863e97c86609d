package oteltrace

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/lambdakit/lambdakit/handler"
)

// ScopeName is the instrumentation scope of the spans this package starts.
const ScopeName = "github.com/lambdakit/lambdakit/oteltrace"

// DefaultFlushTimeout is how long the end of an invocation waits, at most, for
// its spans to be exported; see [WithFlushTimeout]. It fits in
// [handler.DefaultMargin], the time [handler.Defaults] keeps after the
// function's own work, and is far above the 1–2 ms an export to a collector
// extension on the same host takes.
const DefaultFlushTimeout = 200 * time.Millisecond

// Provider is what a [Tracer] needs from an OpenTelemetry SDK: a
// TracerProvider it can flush. *sdktrace.TracerProvider satisfies it.
type Provider interface {
	trace.TracerProvider
	ForceFlush(ctx context.Context) error
	Shutdown(ctx context.Context) error
}

var _ Provider = (*sdktrace.TracerProvider)(nil)

// Option configures a [Tracer].
type Option func(*options)

type options struct {
	name         string
	trigger      string
	xrayParent   bool
	flushTimeout time.Duration
	logger       *slog.Logger
}

// WithName sets the span name. The default is the function name
// (AWS_LAMBDA_FUNCTION_NAME), as the FaaS semantic conventions ask, or the
// name in the invoked ARN when the variable is unset.
func WithName(name string) Option { return func(o *options) { o.name = name } }

// WithTrigger sets faas.trigger: "datasource", "http", "pubsub", "timer" or
// "other" (the default). With "pubsub", for SQS or SNS, the span kind is
// Consumer; otherwise it is Server.
func WithTrigger(trigger string) Option { return func(o *options) { o.trigger = trigger } }

// WithXRayParent makes the span a child of the segment Lambda records in
// X-Ray, named by the invocation's trace header, so that one trace runs from
// the caller (a Step Functions execution, say) through the function. The span
// then follows the header's sampling decision through a parent-based sampler,
// and Lambda's header says Sampled=0 whenever active tracing is off, so
// without this option (the default) the span starts a trace of its own and
// only links to the X-Ray one.
func WithXRayParent() Option { return func(o *options) { o.xrayParent = true } }

// WithFlushTimeout bounds the wait for the export at the end of each
// invocation; the invocation's deadline bounds it too. Lambda freezes the
// execution environment once the response is posted, so spans still queued in
// a batch processor would wait for the next invocation, or be lost when the
// environment is shut down. A timeout of zero or less turns the per-invocation
// flush off and leaves the export to the span processor and [Tracer.Shutdown].
// The default is [DefaultFlushTimeout].
func WithFlushTimeout(d time.Duration) Option { return func(o *options) { o.flushTimeout = d } }

// WithLogger sets the logger that reports failed exports. The default is
// slog.Default().
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// Tracer starts an OpenTelemetry span per invocation following the FaaS
// semantic conventions, and flushes the provider when the invocation ends. It
// implements [handler.Tracer] and is safe for concurrent use.
type Tracer struct {
	provider     Provider
	tracer       trace.Tracer
	name         string
	kind         trace.SpanKind
	xrayParent   bool
	flushTimeout time.Duration
	logger       *slog.Logger
	// static holds the attributes every invocation span carries.
	static []attribute.KeyValue
}

var _ handler.Tracer = (*Tracer)(nil)

// New returns a Tracer that starts its spans with a tracer from p and
// flushes p. p is usually an *sdktrace.TracerProvider with a batch span
// processor and the attributes of [Resource].
func New(p Provider, opts ...Option) *Tracer {
	o := options{trigger: "other", flushTimeout: DefaultFlushTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	if o.name == "" {
		o.name = lambdacontext.FunctionName
	}
	t := &Tracer{
		provider:     p,
		tracer:       p.Tracer(ScopeName),
		name:         o.name,
		kind:         trace.SpanKindServer,
		xrayParent:   o.xrayParent,
		flushTimeout: o.flushTimeout,
		logger:       o.logger,
		static: []attribute.KeyValue{
			semconv.FaaSTriggerKey.String(o.trigger),
			semconv.CloudProviderAWS,
			semconv.CloudPlatformAWSLambda,
		},
	}
	if o.trigger == "pubsub" {
		t.kind = trace.SpanKindConsumer
	}
	if o.name != "" {
		t.static = append(t.static, semconv.FaaSName(o.name))
	}
	return t
}

// Start starts the invocation's span with the attributes the FaaS semantic
// conventions define for it: faas.invocation_id, faas.coldstart,
// faas.trigger, faas.name, cloud.provider, cloud.platform, cloud.region,
// cloud.account.id, cloud.resource_id and aws.lambda.invoked_arn. The
// invocation's X-Ray trace header becomes the parent (with [WithXRayParent])
// or a link.
func (t *Tracer) Start(ctx context.Context, inv handler.Invocation) (context.Context, handler.Span) {
	name := t.name
	attrs := make([]attribute.KeyValue, 0, len(t.static)+8)
	attrs = append(attrs, t.static...)
	attrs = append(attrs, semconv.FaaSInvocationID(inv.RequestID), semconv.FaaSColdstart(inv.ColdStart))
	if inv.FunctionARN != "" {
		attrs = append(attrs, semconv.AWSLambdaInvokedARN(inv.FunctionARN))
		if a, ok := parseARN(inv.FunctionARN); ok {
			attrs = append(attrs,
				semconv.CloudRegion(a.region),
				semconv.CloudAccountID(a.account),
				semconv.CloudResourceID(a.function),
			)
			if name == "" {
				name = a.name
				attrs = append(attrs, semconv.FaaSName(a.name))
			}
		}
	}
	if name == "" {
		name = "handler"
	}
	opts := []trace.SpanStartOption{trace.WithSpanKind(t.kind), trace.WithAttributes(attrs...)}
	if sc, ok := parseXRayHeader(inv.TraceHeader); ok {
		if t.xrayParent {
			ctx = trace.ContextWithRemoteSpanContext(ctx, sc)
		} else {
			opts = append(opts, trace.WithLinks(trace.Link{SpanContext: sc}))
		}
	}
	ctx, sp := t.tracer.Start(ctx, name, opts...)
	s := &span{span: sp, t: t, deferred: flushDeferred(ctx)}
	s.deadline, s.hasDeadline = handler.Deadline(ctx)
	return ctx, s
}

// Flush exports the spans that have ended, waiting no longer than ctx allows
// nor the flush timeout. It is what the end of each invocation calls, exposed
// for a handler that wants to flush at a point of its own.
func (t *Tracer) Flush(ctx context.Context) {
	if t.flushTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.flushTimeout)
		defer cancel()
	}
	if err := t.provider.ForceFlush(ctx); err != nil {
		t.logger.WarnContext(ctx, "oteltrace: flushing spans failed", slog.String("error", err.Error()))
	}
}

// Shutdown flushes the provider and shuts it down, within ctx. Its signature
// fits [handler.OnShutdown], which calls it when Lambda sends SIGTERM:
//
//	handler.Start(h, handler.OnShutdown(tracer.Shutdown))
func (t *Tracer) Shutdown(ctx context.Context) {
	if err := t.provider.Shutdown(ctx); err != nil {
		t.logger.WarnContext(ctx, "oteltrace: shutting the tracer provider down failed", slog.String("error", err.Error()))
	}
}

type span struct {
	span        trace.Span
	t           *Tracer
	deadline    time.Time
	hasDeadline bool
	// deferred is set when [Tracer.Handler] flushes after the response.
	deferred bool
}

// Annotate sets key=value as a span attribute.
func (s *span) Annotate(key string, value any) {
	s.span.SetAttributes(attributeOf(key, value))
}

// End ends the span, recording err as an exception event, the error status
// and error.type (the name the Lambda runtime reports, [handler.ErrorType]),
// then flushes unless [Tracer.Handler] will after the response.
func (s *span) End(err error) {
	if err != nil {
		recordOpts := []trace.EventOption{}
		if p, ok := errors.AsType[*handler.PanicError](err); ok && len(p.Stack) > 0 {
			recordOpts = append(recordOpts, trace.WithAttributes(semconv.ExceptionStacktrace(string(p.Stack))))
		}
		s.span.RecordError(err, recordOpts...)
		s.span.SetStatus(codes.Error, err.Error())
		s.span.SetAttributes(semconv.ErrorTypeKey.String(handler.ErrorType(err)))
	}
	s.span.End()
	if s.deferred || s.t.flushTimeout <= 0 {
		return
	}
	s.t.flushBefore(s.deadline, s.hasDeadline)
}

// flushBefore runs [Tracer.Flush] bounded by the invocation's deadline, when
// it has one, as well as by the flush timeout.
func (t *Tracer) flushBefore(deadline time.Time, hasDeadline bool) {
	ctx := context.Background()
	if hasDeadline {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	t.Flush(ctx)
}

// attributeOf converts an annotation to an attribute of the closest type.
func attributeOf(key string, value any) attribute.KeyValue {
	k := attribute.Key(key)
	switch v := value.(type) {
	case bool:
		return k.Bool(v)
	case string:
		return k.String(v)
	case int:
		return k.Int(v)
	case int8:
		return k.Int64(int64(v))
	case int16:
		return k.Int64(int64(v))
	case int32:
		return k.Int64(int64(v))
	case int64:
		return k.Int64(v)
	case uint8:
		return k.Int64(int64(v))
	case uint16:
		return k.Int64(int64(v))
	case uint32:
		return k.Int64(int64(v))
	case uint:
		return k.Int64(int64(min(v, 1<<63-1)))
	case uint64:
		return k.Int64(int64(min(v, 1<<63-1)))
	case float32:
		return k.Float64(float64(v))
	case float64:
		return k.Float64(v)
	case []string:
		return k.StringSlice(v)
	case time.Duration:
		return k.String(v.String())
	case error:
		return k.String(v.Error())
	case interface{ String() string }:
		return k.String(v.String())
	}
	return k.String(fmtValue(value))
}

// arn holds the parts of a Lambda function ARN the conventions use.
type arn struct {
	region, account, name string
	// function is the ARN without the alias or version qualifier.
	function string
}

// parseARN splits arn:aws:lambda:region:account:function:name[:qualifier].
func parseARN(s string) (arn, bool) {
	parts := strings.SplitN(s, ":", 8)
	if len(parts) < 7 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" {
		return arn{}, false
	}
	return arn{
		region:   parts[3],
		account:  parts[4],
		name:     parts[6],
		function: strings.Join(parts[:7], ":"),
	}, true
}
