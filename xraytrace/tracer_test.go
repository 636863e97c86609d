package xraytrace_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lambdakit/lambdakit/handler"
	"github.com/lambdakit/lambdakit/xraytrace"
)

// daemonHeader is the first line of every UDP datagram the X-Ray daemon accepts.
const daemonHeader = `{"format": "json", "version": 1}` + "\n"

// segment holds the fields of a (sub)segment document the tests assert.
type segment struct {
	Type        string                    `json:"type"`
	Name        string                    `json:"name"`
	ID          string                    `json:"id"`
	TraceID     string                    `json:"trace_id"`
	ParentID    string                    `json:"parent_id"`
	StartTime   float64                   `json:"start_time"`
	EndTime     float64                   `json:"end_time"`
	InProgress  bool                      `json:"in_progress"`
	Fault       bool                      `json:"fault"`
	Namespace   string                    `json:"namespace"`
	Annotations map[string]any            `json:"annotations"`
	Metadata    map[string]map[string]any `json:"metadata"`
	AWS         map[string]any            `json:"aws"`
	Cause       *struct {
		Exceptions []struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"exceptions"`
	} `json:"cause"`
	Subsegments []segment `json:"subsegments"`
}

// daemon is a fake X-Ray daemon: a UDP listener that decodes what it receives.
type daemon struct {
	conn *net.UDPConn
	segs chan segment
	errs chan error
}

func newDaemon(t testing.TB) *daemon {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	d := &daemon{conn: conn, segs: make(chan segment, 256), errs: make(chan error, 16)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64<<10)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return // closed by Cleanup
			}
			body, ok := bytes.CutPrefix(buf[:n], []byte(daemonHeader))
			if !ok {
				d.errs <- fmt.Errorf("datagram without the daemon header: %q", buf[:n])
				continue
			}
			var s segment
			if err := json.Unmarshal(body, &s); err != nil {
				d.errs <- fmt.Errorf("datagram body: %w: %s", err, body)
				continue
			}
			d.segs <- s
		}
	}()
	t.Cleanup(func() { conn.Close(); <-done })
	return d
}

func (d *daemon) addr() string { return d.conn.LocalAddr().String() }

// receive returns the next n documents, failing after a generous wait.
func (d *daemon) receive(t *testing.T, n int) []segment {
	t.Helper()
	var got []segment
	timeout := time.After(5 * time.Second)
	for len(got) < n {
		select {
		case s := <-d.segs:
			got = append(got, s)
		case err := <-d.errs:
			t.Fatal(err)
		case <-timeout:
			t.Fatalf("received %d documents, want %d", len(got), n)
		}
	}
	return got
}

// expectNone fails if a document arrives within a short while. The SDK sends
// synchronously from Close, so anything sent would already be queued.
func (d *daemon) expectNone(t *testing.T) {
	t.Helper()
	select {
	case s := <-d.segs:
		t.Fatalf("unexpected document %+v", s)
	case <-time.After(100 * time.Millisecond):
	}
}

const (
	traceID = "1-5759e988-bd862e3fe1be46a994272793"
	arn     = "arn:aws:lambda:eu-west-1:123456789012:function:orders"
)

// invocationContext is the context aws-lambda-go gives an invocation.
func invocationContext(requestID, traceHeader string) context.Context {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{
		AwsRequestID: requestID, InvokedFunctionArn: arn,
	})
	if traceHeader != "" {
		//lint:ignore SA1029 aws-lambda-go keys the trace header with this plain string.
		ctx = context.WithValue(ctx, "x-amzn-trace-id", traceHeader)
	}
	return ctx
}

func newTracer(t testing.TB, d *daemon) *xraytrace.Tracer {
	t.Helper()
	tr, err := xraytrace.New(xraytrace.WithDaemonAddr(d.addr()), xraytrace.WithName("orders"))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

type point struct{ X, Y int }

func TestTracerSubsegment(t *testing.T) {
	tests := []struct {
		name    string
		fn      handler.HandlerFunc
		want    segment
		wantErr bool
	}{
		{
			name: "success with outcomes",
			fn: func(ctx context.Context, _ []byte) ([]byte, error) {
				handler.Annotate(ctx, "records_failed", int64(2))
				handler.Annotate(ctx, "task.answered", true)
				handler.Annotate(ctx, "checkpoint", "saved")
				handler.Annotate(ctx, "duration", 1500*time.Millisecond) // a Stringer
				handler.Annotate(ctx, "where", point{1, 2})
				return []byte(`{}`), nil
			},
			want: segment{
				Type: "subsegment", Name: "orders", TraceID: traceID, ParentID: "53995c3f42cd8ad8",
				Annotations: map[string]any{
					"ColdStart": true, "records_failed": 2.0, "task_answered": true,
					"checkpoint": "saved", "duration": "1.5s",
				},
				Metadata: map[string]map[string]any{"lambdakit": {"where": map[string]any{"X": 1.0, "Y": 2.0}}},
			},
		},
		{
			name: "error",
			fn: func(context.Context, []byte) ([]byte, error) {
				return nil, &handler.DecodeError{Type: "main.Order", Err: errors.New("unexpected end of JSON input")}
			},
			wantErr: true,
			want: segment{
				Type: "subsegment", Name: "orders", TraceID: traceID, ParentID: "53995c3f42cd8ad8", Fault: true,
				Annotations: map[string]any{"ColdStart": true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDaemon(t)
			h := handler.Chain(tt.fn, handler.ColdStart(), handler.Tracing(newTracer(t, d)))
			before := float64(time.Now().UnixNano()) / 1e9
			ctx := invocationContext("req-1", "Root="+traceID+";Parent=53995c3f42cd8ad8;Sampled=1")
			_, err := h(ctx, []byte(`{}`))
			after := float64(time.Now().UnixNano()) / 1e9
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %t", err, tt.wantErr)
			}
			got := d.receive(t, 1)[0]
			if len(got.ID) != 16 {
				t.Errorf("id = %q, want 16 hex digits", got.ID)
			}
			if !(before <= got.StartTime && got.StartTime <= got.EndTime && got.EndTime <= after) {
				t.Errorf("start %f, end %f: not within [%f, %f] in order", got.StartTime, got.EndTime, before, after)
			}
			if tt.wantErr {
				if got.Cause == nil || len(got.Cause.Exceptions) != 1 {
					t.Fatalf("cause = %+v, want one exception", got.Cause)
				}
				e := got.Cause.Exceptions[0]
				if e.Type != "DecodeError" || !strings.Contains(e.Message, "unexpected end of JSON input") {
					t.Errorf("exception = %+v, want type DecodeError with the message", e)
				}
			}
			ignore := cmpopts.IgnoreFields(segment{}, "ID", "StartTime", "EndTime", "Cause")
			if diff := cmp.Diff(tt.want, got, ignore); diff != "" {
				t.Errorf("subsegment (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTracerPanicStack(t *testing.T) {
	d := newDaemon(t)
	h := handler.Chain(func(context.Context, []byte) ([]byte, error) { panic("boom") },
		handler.Tracing(newTracer(t, d)), handler.Recover())
	_, err := h(invocationContext("req-1", "Root="+traceID+";Parent=53995c3f42cd8ad8;Sampled=1"), nil)
	if _, ok := errors.AsType[*handler.PanicError](err); !ok {
		t.Fatalf("err = %v, want a *handler.PanicError", err)
	}
	got := d.receive(t, 1)[0]
	stack, _ := got.Metadata["lambdakit"]["panic_stack"].(string)
	if !strings.Contains(stack, "TestTracerPanicStack") {
		t.Errorf("panic_stack metadata = %q, want the panicking goroutine's stack", stack)
	}
	if !got.Fault || got.Cause.Exceptions[0].Type != "PanicError" {
		t.Errorf("fault = %t, cause = %+v, want a PanicError fault", got.Fault, got.Cause)
	}
}

func TestTracerSendsNothing(t *testing.T) {
	tests := []struct {
		name, header string
	}{
		{"not sampled", "Root=" + traceID + ";Parent=53995c3f42cd8ad8;Sampled=0"},
		{"no trace header", ""},
		{"header without parent", "Root=" + traceID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDaemon(t)
			h := handler.Chain(func(ctx context.Context, _ []byte) ([]byte, error) {
				handler.Annotate(ctx, "records_failed", 1)
				return nil, nil
			}, handler.Tracing(newTracer(t, d)))
			if _, err := h(invocationContext("req-1", tt.header), nil); err != nil {
				t.Fatal(err)
			}
			d.expectNone(t)
		})
	}
}

// TestInstrumentAWS checks that an AWS call made with the invocation's context
// is a child of the invocation's subsegment and carries the trace header.
func TestInstrumentAWS(t *testing.T) {
	var gotHeader string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotHeader = r.Header.Get("X-Amzn-Trace-Id")
		w.Header().Set("X-Amzn-Requestid", "sfn-req-1")
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		fmt.Fprint(w, `{}`)
	}))
	t.Cleanup(srv.Close)

	cfg := aws.Config{
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint: aws.String(srv.URL),
	}
	xraytrace.InstrumentAWS(&cfg)
	client := sfn.NewFromConfig(cfg)

	d := newDaemon(t)
	h := handler.Chain(func(ctx context.Context, _ []byte) ([]byte, error) {
		_, err := client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String("tok"), Output: aws.String(`{}`)})
		return nil, err
	}, handler.Tracing(newTracer(t, d)))
	if _, err := h(invocationContext("req-1", "Root="+traceID+";Parent=53995c3f42cd8ad8;Sampled=1"), nil); err != nil {
		t.Fatal(err)
	}
	got := d.receive(t, 1)[0]
	if len(got.Subsegments) != 1 {
		t.Fatalf("subsegments = %+v, want the SFN call", got.Subsegments)
	}
	call := got.Subsegments[0]
	want := segment{
		// The SDK gives nested subsegments the facade's trace and parent ids;
		// their place in the document makes them children of the invocation.
		Name: "SFN", Namespace: "aws", TraceID: traceID, ParentID: "53995c3f42cd8ad8",
		AWS: map[string]any{"operation": "SendTaskSuccess", "region": "eu-west-1", "request_id": "sfn-req-1"},
	}
	ignore := cmpopts.IgnoreFields(segment{}, "ID", "StartTime", "EndTime")
	if diff := cmp.Diff(want, call, ignore); diff != "" {
		t.Errorf("SFN subsegment (-want +got):\n%s", diff)
	}
	if wantHeader := "Root=" + traceID + ";Parent=" + call.ID + ";Sampled=1"; gotHeader != wantHeader {
		t.Errorf("X-Amzn-Trace-Id sent to SFN = %q, want %q", gotHeader, wantHeader)
	}
}

// TestTracerConcurrent runs invocations at once, as the runtime does with
// AWS_LAMBDA_MAX_CONCURRENCY, and checks that each gets its own subsegment
// under its own facade, and that exactly one is a cold start.
func TestTracerConcurrent(t *testing.T) {
	const n = 32
	d := newDaemon(t)
	h := handler.Chain(func(ctx context.Context, payload []byte) ([]byte, error) {
		handler.Annotate(ctx, "request", string(payload))
		return nil, nil
	}, handler.ColdStart(), handler.Tracing(newTracer(t, d)))

	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			parent := fmt.Sprintf("%016x", i+1)
			ctx := invocationContext(fmt.Sprint("req-", i), "Root="+traceID+";Parent="+parent+";Sampled=1")
			if _, err := h(ctx, []byte(parent)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()

	got := d.receive(t, n)
	d.expectNone(t)
	var parents []string
	cold := 0
	for _, s := range got {
		if s.Annotations["request"] != s.ParentID {
			t.Errorf("subsegment under %s annotated with request %v: invocations mixed up", s.ParentID, s.Annotations["request"])
		}
		if s.Annotations["ColdStart"] == true {
			cold++
		}
		parents = append(parents, s.ParentID)
	}
	sort.Strings(parents)
	var want []string
	for i := range n {
		want = append(want, fmt.Sprintf("%016x", i+1))
	}
	if diff := cmp.Diff(want, parents); diff != "" {
		t.Errorf("parent ids (-want +got):\n%s", diff)
	}
	if cold != 1 {
		t.Errorf("%d cold starts, want 1", cold)
	}
}

func TestNewInvalidDaemonAddr(t *testing.T) {
	_, err := xraytrace.New(xraytrace.WithDaemonAddr("no-port"))
	if !errors.Is(err, xraytrace.ErrDaemonAddr) {
		t.Fatalf("err = %v, want ErrDaemonAddr", err)
	}
}

// TestInstrumentAWSFanOut makes more AWS calls at once within one invocation
// than the SDK keeps in memory (it streams completed subsegments beyond 20),
// as a batch handler does, and checks that every call is accounted for under
// the invocation's subsegment, nested or streamed.
func TestInstrumentAWSFanOut(t *testing.T) {
	const calls = 30
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		fmt.Fprint(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	cfg := aws.Config{
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint: aws.String(srv.URL),
	}
	xraytrace.InstrumentAWS(&cfg)
	client := sfn.NewFromConfig(cfg)

	d := newDaemon(t)
	h := handler.Chain(func(ctx context.Context, _ []byte) ([]byte, error) {
		var wg sync.WaitGroup
		for range calls {
			wg.Go(func() {
				if _, err := client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String("tok")}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		return nil, nil
	}, handler.Tracing(newTracer(t, d)))
	if _, err := h(invocationContext("req-1", "Root="+traceID+";Parent=53995c3f42cd8ad8;Sampled=1"), nil); err != nil {
		t.Fatal(err)
	}

	// The invocation's subsegment comes last; streamed calls come before it.
	var docs []segment
	for {
		s := d.receive(t, 1)[0]
		docs = append(docs, s)
		if s.Name == "orders" {
			break
		}
	}
	inv := docs[len(docs)-1]
	if inv.ParentID != "53995c3f42cd8ad8" {
		t.Errorf("invocation subsegment parent = %s, want the facade", inv.ParentID)
	}
	n := len(inv.Subsegments)
	for _, s := range docs[:len(docs)-1] {
		if s.Name != "SFN" || s.Type != "subsegment" || s.ParentID != inv.ID || s.TraceID != traceID {
			t.Errorf("streamed document %+v, want an SFN subsegment under %s", s, inv.ID)
		}
		n++
	}
	if n != calls {
		t.Errorf("%d SFN calls recorded (%d nested, %d streamed), want %d", n, len(inv.Subsegments), len(docs)-1, calls)
	}
}
