package oteltrace_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/lambdakit/lambdakit/handler"
	"github.com/lambdakit/lambdakit/oteltrace"
)

const (
	arn         = "arn:aws:lambda:eu-west-1:123456789012:function:orders:live"
	traceHeader = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
)

// newProvider returns a provider whose batch processor would wait an hour
// before exporting on its own, so that spans reach the exporter only through
// the flushes under test.
func newProvider(t *testing.T) (*sdktrace.TracerProvider, *tracetest.InMemoryExporter) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(keepExporter{exp}, sdktrace.WithBatchTimeout(time.Hour)))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp, exp
}

// keepExporter keeps the spans when the provider shuts down, which the
// in-memory exporter would forget.
type keepExporter struct{ *tracetest.InMemoryExporter }

func (keepExporter) Shutdown(context.Context) error { return nil }

// invocationContext is the context aws-lambda-go gives an invocation.
func invocationContext(requestID, header string) context.Context {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{
		AwsRequestID: requestID, InvokedFunctionArn: arn,
	})
	if header != "" {
		//lint:ignore SA1029 aws-lambda-go keys the trace header with this plain string.
		ctx = context.WithValue(ctx, "x-amzn-trace-id", header)
	}
	return ctx
}

func attrs(kvs []attribute.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

func TestTracerSpan(t *testing.T) {
	tp, exp := newProvider(t)
	tracer := oteltrace.New(tp, oteltrace.WithTrigger("pubsub"))
	h := handler.Chain(func(ctx context.Context, _ []byte) ([]byte, error) {
		handler.Annotate(ctx, "lambdakit.records_failed", 2)
		handler.Annotate(ctx, "lambdakit.task_answered", true)
		handler.Annotate(ctx, "lambdakit.remaining", 1500*time.Millisecond)
		handler.Annotate(ctx, "lambdakit.point", struct{ X, Y int }{1, 2})
		return []byte(`{}`), nil
	}, handler.ColdStart(), handler.Tracing(tracer))

	if _, err := h(invocationContext("req-1", traceHeader), nil); err != nil {
		t.Fatal(err)
	}
	spans := exp.GetSpans() // exported by the flush at the end of the invocation
	if len(spans) != 1 {
		t.Fatalf("%d spans exported, want 1", len(spans))
	}
	s := spans[0]
	if s.Name != "orders" || s.SpanKind != trace.SpanKindConsumer {
		t.Errorf("name %q, kind %v; want orders, consumer", s.Name, s.SpanKind)
	}
	want := map[string]any{
		"faas.invocation_id":       "req-1",
		"faas.coldstart":           true,
		"faas.trigger":             "pubsub",
		"faas.name":                "orders",
		"cloud.provider":           "aws",
		"cloud.platform":           "aws_lambda",
		"cloud.region":             "eu-west-1",
		"cloud.account.id":         "123456789012",
		"cloud.resource_id":        "arn:aws:lambda:eu-west-1:123456789012:function:orders",
		"aws.lambda.invoked_arn":   arn,
		"lambdakit.records_failed": int64(2),
		"lambdakit.task_answered":  true,
		"lambdakit.remaining":      "1.5s",
		"lambdakit.point":          "{1 2}",
	}
	if diff := cmp.Diff(want, attrs(s.Attributes)); diff != "" {
		t.Errorf("attributes (-want +got):\n%s", diff)
	}
	if s.Status.Code != codes.Unset {
		t.Errorf("status = %v, want unset", s.Status)
	}
	// Without WithXRayParent the span starts its own trace and links to
	// Lambda's segment.
	if s.Parent.IsValid() {
		t.Errorf("parent = %v, want none", s.Parent)
	}
	if len(s.Links) != 1 || s.Links[0].SpanContext.TraceID().String() != "5759e988bd862e3fe1be46a994272793" ||
		s.Links[0].SpanContext.SpanID().String() != "53995c3f42cd8ad8" {
		t.Errorf("links = %+v, want one to the X-Ray segment", s.Links)
	}
}

func TestTracerXRayParent(t *testing.T) {
	tests := []struct {
		name      string
		header    string
		wantSpans int
	}{
		{"sampled", traceHeader, 1},
		// Lambda sends Sampled=0 when active tracing is off; the default
		// parent-based sampler follows it.
		{"not sampled", strings.Replace(traceHeader, "Sampled=1", "Sampled=0", 1), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, exp := newProvider(t)
			h := handler.Chain(func(context.Context, []byte) ([]byte, error) { return nil, nil },
				handler.Tracing(oteltrace.New(tp, oteltrace.WithXRayParent())))
			if _, err := h(invocationContext("req-1", tt.header), nil); err != nil {
				t.Fatal(err)
			}
			spans := exp.GetSpans()
			if len(spans) != tt.wantSpans {
				t.Fatalf("%d spans, want %d", len(spans), tt.wantSpans)
			}
			if tt.wantSpans == 0 {
				return
			}
			s := spans[0]
			if got := s.SpanContext.TraceID().String(); got != "5759e988bd862e3fe1be46a994272793" {
				t.Errorf("trace id = %s, want the X-Ray trace's", got)
			}
			if got := s.Parent.SpanID().String(); got != "53995c3f42cd8ad8" || !s.Parent.IsRemote() {
				t.Errorf("parent = %s (remote %t), want the remote X-Ray segment", got, s.Parent.IsRemote())
			}
		})
	}
}

func TestTracerError(t *testing.T) {
	tests := []struct {
		name      string
		fn        handler.HandlerFunc
		wantType  string
		wantStack bool
	}{
		{
			name: "decode error",
			fn: func(context.Context, []byte) ([]byte, error) {
				return nil, &handler.DecodeError{Type: "main.Order", Err: errors.New("unexpected end of JSON input")}
			},
			wantType: "DecodeError",
		},
		{
			name:      "panic",
			fn:        func(context.Context, []byte) ([]byte, error) { panic("boom") },
			wantType:  "PanicError",
			wantStack: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, exp := newProvider(t)
			h := handler.Chain(tt.fn, handler.Tracing(oteltrace.New(tp)), handler.Recover())
			_, err := h(invocationContext("req-1", ""), nil)
			if err == nil {
				t.Fatal("no error")
			}
			spans := exp.GetSpans()
			if len(spans) != 1 {
				t.Fatalf("%d spans, want 1", len(spans))
			}
			s := spans[0]
			if s.Status.Code != codes.Error || s.Status.Description != err.Error() {
				t.Errorf("status = %+v, want error %q", s.Status, err)
			}
			if got := attrs(s.Attributes)["error.type"]; got != tt.wantType {
				t.Errorf("error.type = %v, want %s", got, tt.wantType)
			}
			if len(s.Events) != 1 || s.Events[0].Name != "exception" {
				t.Fatalf("events = %+v, want one exception", s.Events)
			}
			ev := attrs(s.Events[0].Attributes)
			if ev["exception.message"] != err.Error() {
				t.Errorf("exception.message = %v, want %q", ev["exception.message"], err)
			}
			stack, _ := ev["exception.stacktrace"].(string)
			if tt.wantStack != strings.Contains(stack, "TestTracerError") {
				t.Errorf("exception.stacktrace = %q, want the panic's stack: %t", stack, tt.wantStack)
			}
		})
	}
}

// blockingExporter waits until its context ends, like an exporter whose
// collector does not answer, and records the deadline it was given.
type blockingExporter struct {
	mu        sync.Mutex
	deadlines []time.Time
}

func (e *blockingExporter) ExportSpans(ctx context.Context, _ []sdktrace.ReadOnlySpan) error {
	d, _ := ctx.Deadline()
	e.mu.Lock()
	e.deadlines = append(e.deadlines, d)
	e.mu.Unlock()
	<-ctx.Done()
	return ctx.Err()
}

func (e *blockingExporter) Shutdown(context.Context) error { return nil }

// TestFlushBounded checks that a collector that does not answer cannot hold
// the invocation longer than the flush timeout or the invocation's deadline,
// whichever comes first.
func TestFlushBounded(t *testing.T) {
	tests := []struct {
		name     string
		timeout  time.Duration
		deadline time.Duration // of the invocation; 0 for none
		want     time.Duration // the latest the export may be allowed to run
	}{
		{"flush timeout", 20 * time.Millisecond, 0, 20 * time.Millisecond},
		{"invocation deadline", time.Hour, 30 * time.Millisecond, 30 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp := &blockingExporter{}
			tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(time.Hour)))
			t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
			h := handler.Chain(func(context.Context, []byte) ([]byte, error) { return nil, nil },
				handler.Tracing(oteltrace.New(tp, oteltrace.WithFlushTimeout(tt.timeout),
					oteltrace.WithLogger(slog.New(slog.DiscardHandler)))))
			ctx := invocationContext("req-1", "")
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			if _, err := h(ctx, nil); err != nil {
				t.Fatal(err)
			}
			end := time.Now()
			exp.mu.Lock()
			defer exp.mu.Unlock()
			if len(exp.deadlines) != 1 {
				t.Fatalf("%d exports, want 1", len(exp.deadlines))
			}
			if d := exp.deadlines[0]; d.IsZero() || d.After(end.Add(tt.want)) {
				t.Errorf("export deadline %v after the invocation returned, want at most %v", d.Sub(end), tt.want)
			}
		})
	}
}

// TestFlushOffAndShutdown checks that with the per-invocation flush off the
// spans wait in the batch processor until Shutdown, the SIGTERM hook.
func TestFlushOffAndShutdown(t *testing.T) {
	tp, exp := newProvider(t)
	tracer := oteltrace.New(tp, oteltrace.WithFlushTimeout(0))
	h := handler.Chain(func(context.Context, []byte) ([]byte, error) { return nil, nil }, handler.Tracing(tracer))
	for i := range 3 {
		if _, err := h(invocationContext(fmt.Sprint("req-", i), ""), nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(exp.GetSpans()); n != 0 {
		t.Fatalf("%d spans exported before shutdown, want 0", n)
	}
	tracer.Shutdown(context.Background())
	if n := len(exp.GetSpans()); n != 3 {
		t.Fatalf("%d spans exported by shutdown, want 3", n)
	}
}

// TestHandlerFlushesAfterResponse checks the io.Closer response that
// aws-lambda-go closes after posting it: the span is exported on Close, not
// before the response is read.
func TestHandlerFlushesAfterResponse(t *testing.T) {
	tp, exp := newProvider(t)
	tracer := oteltrace.New(tp)
	fail := errors.New("boom")
	h := handler.Chain(func(_ context.Context, payload []byte) ([]byte, error) {
		if string(payload) == `"fail"` {
			return nil, fail
		}
		return []byte(`{"ok":true}`), nil
	}, handler.Tracing(tracer))
	start := tracer.Handler(h)

	r, err := start(invocationContext("req-1", ""), []byte(`"go"`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r)
	if string(body) != `{"ok":true}` {
		t.Errorf("response = %s", body)
	}
	if n := len(exp.GetSpans()); n != 0 {
		t.Fatalf("%d spans exported before the response was closed, want 0", n)
	}
	if err := r.(io.Closer).Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(exp.GetSpans()); n != 1 {
		t.Fatalf("%d spans exported after close, want 1", n)
	}

	// A failure has no response to close: its span is flushed at once.
	if _, err := start(invocationContext("req-2", ""), []byte(`"fail"`)); !errors.Is(err, fail) {
		t.Fatalf("err = %v, want %v", err, fail)
	}
	if n := len(exp.GetSpans()); n != 2 {
		t.Fatalf("%d spans exported after the failure, want 2", n)
	}
}

func TestInstrumentAWS(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-Requestid", "sfn-req-1")
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		if r.Header.Get("X-Amz-Target") == "AWSStepFunctions.SendTaskFailure" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"__type":"com.amazonaws.swf.service.v2.model#TaskTimedOut","message":"Task Timed Out"}`)
			return
		}
		fmt.Fprint(w, `{}`)
	}))
	t.Cleanup(srv.Close)

	tp, exp := newProvider(t)
	cfg := aws.Config{
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint: aws.String(srv.URL),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
	oteltrace.InstrumentAWS(&cfg, tp)
	client := sfn.NewFromConfig(cfg)
	_ = retry.AddWithMaxAttempts // retries are off above, so each call is one attempt

	h := handler.Chain(func(ctx context.Context, _ []byte) ([]byte, error) {
		if _, err := client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String("tok"), Output: aws.String(`{}`)}); err != nil {
			return nil, err
		}
		_, err := client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String("tok")})
		return nil, err
	}, handler.Tracing(oteltrace.New(tp)))
	if _, err := h(invocationContext("req-1", ""), nil); err == nil {
		t.Fatal("SendTaskFailure did not fail")
	}

	spans := exp.GetSpans()
	byName := map[string]tracetest.SpanStub{}
	for _, s := range spans {
		byName[s.Name] = s
	}
	inv := byName["orders"]
	tests := []struct {
		name      string
		wantAttrs map[string]any
		wantError bool
	}{
		{"SFN.SendTaskSuccess", map[string]any{
			"rpc.system.name": "aws-api", "rpc.method": "SFN/SendTaskSuccess", "aws.region": "eu-west-1",
			"aws.request_id": "sfn-req-1", "http.response.status_code": int64(200),
		}, false},
		{"SFN.SendTaskFailure", map[string]any{
			"rpc.system.name": "aws-api", "rpc.method": "SFN/SendTaskFailure", "aws.region": "eu-west-1",
			"aws.request_id": "sfn-req-1", "http.response.status_code": int64(400), "error.type": "TaskTimedOut",
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := byName[tt.name]
			if !ok {
				t.Fatalf("no span %s among %d", tt.name, len(spans))
			}
			if s.SpanKind != trace.SpanKindClient || s.Parent.SpanID() != inv.SpanContext.SpanID() {
				t.Errorf("kind %v, parent %v; want a client span under the invocation's %v", s.SpanKind, s.Parent.SpanID(), inv.SpanContext.SpanID())
			}
			if diff := cmp.Diff(tt.wantAttrs, attrs(s.Attributes)); diff != "" {
				t.Errorf("attributes (-want +got):\n%s", diff)
			}
			if (s.Status.Code == codes.Error) != tt.wantError {
				t.Errorf("status = %+v, want error %t", s.Status, tt.wantError)
			}
		})
	}
}

// TestTracerConcurrent runs invocations at once, as the runtime does with
// AWS_LAMBDA_MAX_CONCURRENCY: each gets its own span, one is a cold start.
func TestTracerConcurrent(t *testing.T) {
	const n = 32
	tp, exp := newProvider(t)
	h := handler.Chain(func(ctx context.Context, payload []byte) ([]byte, error) {
		handler.Annotate(ctx, "payload", string(payload))
		return nil, nil
	}, handler.ColdStart(), handler.Tracing(oteltrace.New(tp)))

	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprint("req-", i)
			if _, err := h(invocationContext(id, traceHeader), []byte(id)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()

	spans := exp.GetSpans()
	if len(spans) != n {
		t.Fatalf("%d spans, want %d", len(spans), n)
	}
	seen := map[any]bool{}
	cold := 0
	for _, s := range spans {
		a := attrs(s.Attributes)
		if a["payload"] != a["faas.invocation_id"] {
			t.Errorf("span of %v annotated with payload %v: invocations mixed up", a["faas.invocation_id"], a["payload"])
		}
		if seen[a["faas.invocation_id"]] {
			t.Errorf("two spans for %v", a["faas.invocation_id"])
		}
		seen[a["faas.invocation_id"]] = true
		if a["faas.coldstart"] == true {
			cold++
		}
	}
	if cold != 1 {
		t.Errorf("%d cold starts, want 1", cold)
	}
}

func TestResource(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-1")
	got := attrs(oteltrace.Resource().Attributes())
	for k, v := range map[string]any{"cloud.provider": "aws", "cloud.platform": "aws_lambda", "cloud.region": "eu-west-1"} {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}
