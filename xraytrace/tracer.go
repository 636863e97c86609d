package xraytrace

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-xray-sdk-go/header"
	"github.com/aws/aws-xray-sdk-go/instrumentation/awsv2"
	"github.com/aws/aws-xray-sdk-go/strategy/exception"
	"github.com/aws/aws-xray-sdk-go/xray"

	"github.com/lambdakit/lambdakit/handler"
)

// ColdStartAnnotation is the annotation that marks an invocation's subsegment
// as a cold start, so that traces can be filtered with
// annotation.ColdStart = true. The name follows Powertools for AWS Lambda.
const ColdStartAnnotation = "ColdStart"

// MetadataNamespace is the metadata namespace for values that X-Ray cannot
// index as annotations (anything but strings, numbers and booleans), and for
// the stack of a recovered panic.
const MetadataNamespace = "lambdakit"

// ErrDaemonAddr is returned by [New] when the address given to
// [WithDaemonAddr] is not a UDP host:port.
var ErrDaemonAddr = errors.New("xraytrace: invalid daemon address")

// Option configures a [Tracer].
type Option func(*options)

type options struct {
	daemonAddr string
	name       string
}

// WithDaemonAddr sends the subsegments to the X-Ray daemon listening on UDP at
// addr ("host:port"). It takes precedence over AWS_XRAY_DAEMON_ADDRESS and is
// kept in the tracer, not in the SDK's global configuration, so that two
// tracers (or two tests) can send to different daemons. By default the SDK's
// own choice is used: AWS_XRAY_DAEMON_ADDRESS, which Lambda sets, or
// 127.0.0.1:2000.
func WithDaemonAddr(addr string) Option { return func(o *options) { o.daemonAddr = addr } }

// WithName sets the name of the invocation subsegments. The default is the
// function name (AWS_LAMBDA_FUNCTION_NAME), or "handler" outside Lambda.
func WithName(name string) Option { return func(o *options) { o.name = name } }

// Tracer opens an X-Ray subsegment per invocation under the segment the Lambda
// service records for it. It implements [handler.Tracer] and is safe for
// concurrent use; it holds no per-invocation state.
type Tracer struct {
	// cfg is the recorder configuration put in each invocation's context, or
	// nil to let the SDK use its global one.
	cfg  *xray.Config
	name string
}

var _ handler.Tracer = (*Tracer)(nil)

// New returns a Tracer. It opens no connection: the SDK dials the daemon's UDP
// address when it first sends a subsegment.
func New(opts ...Option) (*Tracer, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	t := &Tracer{name: o.name}
	if t.name == "" {
		t.name = lambdacontext.FunctionName
	}
	if t.name == "" {
		t.name = "handler"
	}
	if o.daemonAddr != "" {
		// The address is resolved here rather than through the SDK's
		// daemoncfg, which lets AWS_XRAY_DAEMON_ADDRESS override an explicit
		// choice.
		addr, err := net.ResolveUDPAddr("udp", o.daemonAddr)
		if err != nil {
			return nil, fmt.Errorf("%w %q: %w", ErrDaemonAddr, o.daemonAddr, err)
		}
		emitter, err := xray.NewDefaultEmitter(addr)
		if err != nil {
			return nil, fmt.Errorf("xraytrace: emitter for %s: %w", addr, err)
		}
		t.cfg = &xray.Config{DaemonAddr: o.daemonAddr, Emitter: emitter}
	}
	return t, nil
}

// Start opens the invocation's subsegment under the facade segment named by
// inv.TraceHeader, and returns a context that carries it, so that AWS calls
// made with that context (see [InstrumentAWS]) become its children. Without a
// trace header, as in a local run, it records nothing; with Sampled=0 the SDK
// keeps the subsegment in memory but never sends it.
func (t *Tracer) Start(ctx context.Context, inv handler.Invocation) (context.Context, handler.Span) {
	if inv.TraceHeader == "" {
		return ctx, noSpan{}
	}
	h := header.FromString(inv.TraceHeader)
	if h.TraceID == "" || h.ParentID == "" {
		return ctx, noSpan{}
	}
	if t.cfg != nil {
		ctx = context.WithValue(ctx, xray.RecorderContextKey{}, t.cfg)
	}
	// The facade stands for the segment the Lambda service records; the SDK
	// never sends a facade, only the subsegments under it.
	ctx, _ = xray.BeginFacadeSegment(ctx, "facade", h)
	ctx, seg := xray.BeginSubsegment(ctx, t.name)
	if seg == nil {
		return ctx, noSpan{}
	}
	s := &span{seg: seg}
	s.Annotate(ColdStartAnnotation, inv.ColdStart)
	return ctx, s
}

// InstrumentAWS makes every AWS SDK v2 client built from cfg record each call
// as a subsegment ("SFN", "SQS", "DynamoDB"…, with the operation, region,
// request id and HTTP status) under the subsegment in the call's context, and
// forward the trace header to the service. Call it once, before building the
// clients. A call made outside a traced invocation is handled by the SDK's
// context-missing strategy (AWS_XRAY_CONTEXT_MISSING, logging by default).
func InstrumentAWS(cfg *aws.Config) {
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
}

type span struct {
	seg *xray.Segment
}

// Annotate records value as an annotation, which X-Ray indexes for filter
// expressions, when it is a string, a number or a boolean, and as metadata
// otherwise. Keys are reduced to the letters, digits and underscores X-Ray
// accepts in annotation keys; it would drop the annotation otherwise.
func (s *span) Annotate(key string, value any) {
	key = annotationKey(key)
	var v any
	switch x := value.(type) {
	case bool, int, uint, float32, float64, string:
		v = x
	case int8:
		v = int(x)
	case int16:
		v = int(x)
	case int32:
		v = int(x)
	case int64:
		v = int(x)
	case uint8:
		v = uint(x)
	case uint16:
		v = uint(x)
	case uint32:
		v = uint(x)
	case uint64:
		v = uint(x)
	case fmt.Stringer:
		v = x.String()
	default:
		// AddMetadataToNamespace fails only when the SDK is disabled.
		_ = s.seg.AddMetadataToNamespace(MetadataNamespace, key, value)
		return
	}
	// The value's type is one AddAnnotation accepts, so it cannot fail.
	_ = s.seg.AddAnnotation(key, v)
}

// End closes the subsegment, marking it as a fault with err, and lets the SDK
// send it to the daemon. The exception's type is the name the Lambda runtime
// reports for err ([handler.ErrorType]), the one a Step Functions Retry or
// Catch matches, rather than the SDK's package-qualified Go type.
func (s *span) End(err error) {
	if err != nil {
		if p, ok := errors.AsType[*handler.PanicError](err); ok && len(p.Stack) > 0 {
			_ = s.seg.AddMetadataToNamespace(MetadataNamespace, "panic_stack", string(p.Stack))
		}
		err = &exception.XRayError{Type: handler.ErrorType(err), Message: err.Error()}
	}
	s.seg.Close(err)
}

// noSpan is the span of an invocation that is not traced.
type noSpan struct{}

func (noSpan) Annotate(string, any) {}
func (noSpan) End(error)            {}

// annotationKey replaces every character X-Ray does not accept in an
// annotation key with an underscore. Keys that are already valid, the usual
// case, are returned without allocating.
func annotationKey(key string) string {
	valid := func(c byte) bool {
		return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
	}
	for i := 0; i < len(key); i++ {
		if !valid(key[i]) {
			b := []byte(key)
			for j := i; j < len(b); j++ {
				if !valid(b[j]) {
					b[j] = '_'
				}
			}
			return string(b)
		}
	}
	return key
}
