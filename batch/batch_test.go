package batch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lambdakit/lambdakit/handler"
	"github.com/lambdakit/lambdakit/handler/handlertest"
)

const (
	stdARN  = "arn:aws:sqs:us-east-1:123456789012:orders"
	fifoARN = "arn:aws:sqs:us-east-1:123456789012:orders.fifo"
)

var quiet = WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))

// event returns an SQS event with one record per id; a record's body is its id
// and, for FIFO ARNs, its message group is group(i).
func event(arn string, group func(i int) string, ids ...string) *events.SQSEvent {
	ev := &events.SQSEvent{Records: []events.SQSMessage{}}
	for i, id := range ids {
		m := events.SQSMessage{MessageId: id, Body: id, EventSource: "aws:sqs", EventSourceARN: arn, Attributes: map[string]string{}}
		if group != nil {
			m.Attributes["MessageGroupId"] = group(i)
		}
		ev.Records = append(ev.Records, m)
	}
	return ev
}

func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

// recorder is a record handler that fails the bodies in fail, panics on the
// bodies in panics, and records the order it saw bodies in.
type recorder struct {
	fail   map[string]bool
	panics map[string]bool
	delay  time.Duration

	mu       sync.Mutex
	seen     []string
	inFlight atomic.Int32
	maxIn    atomic.Int32
}

func (r *recorder) handle(ctx context.Context, m events.SQSMessage) error {
	n := r.inFlight.Add(1)
	defer r.inFlight.Add(-1)
	for {
		cur := r.maxIn.Load()
		if n <= cur || r.maxIn.CompareAndSwap(cur, n) {
			break
		}
	}
	r.mu.Lock()
	r.seen = append(r.seen, m.Body)
	r.mu.Unlock()
	if r.delay > 0 {
		select {
		case <-time.After(r.delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if r.panics[m.Body] {
		panic("boom " + m.Body)
	}
	if r.fail[m.Body] {
		return errors.New("failed " + m.Body)
	}
	return nil
}

func set(s ...string) map[string]bool {
	m := make(map[string]bool, len(s))
	for _, x := range s {
		m[x] = true
	}
	return m
}

func failedIDs(resp events.SQSEventResponse) []string {
	out := []string{}
	for _, f := range resp.BatchItemFailures {
		out = append(out, f.ItemIdentifier)
	}
	return out
}

func TestProcessSQSRules(t *testing.T) {
	g2 := func(i int) string { return fmt.Sprintf("g%d", i%2) }
	tests := []struct {
		name     string
		ev       *events.SQSEvent
		fail     []string
		panics   []string
		opts     []Option
		want     []string // reported ids
		wantSeen []string // bodies handled, in order; nil: don't check
		wantErr  any      // a pointer to the wanted error type
	}{
		{name: "all succeed", ev: event(stdARN, nil, ids("m", 5)...), want: []string{}},
		{name: "empty batch", ev: event(stdARN, nil), want: []string{}},
		{name: "some fail", ev: event(stdARN, nil, ids("m", 5)...), fail: []string{"m1", "m3"}, want: []string{"m1", "m3"}},
		{name: "panic fails one record", ev: event(stdARN, nil, ids("m", 3)...), panics: []string{"m1"}, want: []string{"m1"},
			wantSeen: []string{"m0", "m1", "m2"}},
		{name: "all fail returns error", ev: event(stdARN, nil, ids("m", 3)...), fail: ids("m", 3), wantErr: new(*AllFailedError)},
		{name: "all fail reported", ev: event(stdARN, nil, ids("m", 3)...), fail: ids("m", 3), opts: []Option{WithAllFailed(ReportAll)},
			want: []string{"m0", "m1", "m2"}},
		{name: "duplicate id reported once", ev: event(stdARN, nil, "a", "a", "b"), fail: []string{"a"}, want: []string{"a"}},
		{name: "fifo stops at first failure", ev: event(fifoARN, g2, ids("m", 6)...), fail: []string{"m2"},
			want: []string{"m2", "m3", "m4", "m5"}, wantSeen: []string{"m0", "m1", "m2"}},
		{name: "fifo is sequential despite concurrency", ev: event(fifoARN, g2, ids("m", 6)...), fail: []string{"m4"},
			opts: []Option{WithConcurrency(8)}, want: []string{"m4", "m5"}, wantSeen: []string{"m0", "m1", "m2", "m3", "m4"}},
		{name: "fifo panic stops too", ev: event(fifoARN, g2, ids("m", 4)...), panics: []string{"m1"},
			want: []string{"m1", "m2", "m3"}, wantSeen: []string{"m0", "m1"}},
		{name: "fifo first record fails: all fail", ev: event(fifoARN, g2, ids("m", 4)...), fail: []string{"m0"}, wantErr: new(*AllFailedError)},
		{name: "fifo override off", ev: event(fifoARN, g2, ids("m", 4)...), fail: []string{"m1"}, opts: []Option{WithFIFO(false)},
			want: []string{"m1"}, wantSeen: []string{"m0", "m1", "m2", "m3"}},
		{name: "fifo override on", ev: event(stdARN, g2, ids("m", 4)...), fail: []string{"m1"}, opts: []Option{WithFIFO(true)},
			want: []string{"m1", "m2", "m3"}, wantSeen: []string{"m0", "m1"}},
		{name: "skip group: other group goes on", ev: event(fifoARN, g2, ids("m", 8)...), fail: []string{"m2"},
			opts: []Option{WithSkipGroupOnFailure()}, want: []string{"m2", "m4", "m6"}},
		{name: "skip group concurrent", ev: event(fifoARN, func(i int) string { return fmt.Sprintf("g%d", i%4) }, ids("m", 16)...),
			fail: []string{"m5"}, opts: []Option{WithSkipGroupOnFailure(), WithConcurrency(4)}, want: []string{"m5", "m9", "m13"}},
		{name: "no Records", ev: &events.SQSEvent{}, wantErr: new(*EventError)},
		{name: "nil event", ev: nil, wantErr: new(*EventError)},
		{name: "wrong source", ev: &events.SQSEvent{Records: []events.SQSMessage{{MessageId: "1", EventSource: "aws:sns"}}}, wantErr: new(*EventError)},
		{name: "no message id", ev: &events.SQSEvent{Records: []events.SQSMessage{{MessageId: "1"}, {}}}, wantErr: new(*EventError)},
		{name: "no eventSource is accepted", ev: &events.SQSEvent{Records: []events.SQSMessage{{MessageId: "1", Body: "1"}}}, fail: []string{}, want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{fail: set(tt.fail...), panics: set(tt.panics...)}
			resp, err := ProcessSQS(t.Context(), tt.ev, rec.handle, append([]Option{quiet}, tt.opts...)...)
			if tt.wantErr != nil {
				if err == nil || !errors.As(err, tt.wantErr) {
					t.Fatalf("error %v, want %T", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := failedIDs(resp)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("reported ids (-want +got):\n%s", diff)
			}
			if tt.wantSeen != nil {
				if diff := cmp.Diff(tt.wantSeen, rec.seen); diff != "" {
					t.Errorf("handled records (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestSkipGroupKeepsGroupOrder checks that with concurrent groups every group
// still runs in order and a failed group stops while the others finish.
func TestSkipGroupKeepsGroupOrder(t *testing.T) {
	const groups, n = 5, 100
	ev := event(fifoARN, func(i int) string { return fmt.Sprintf("g%d", i%groups) }, ids("m", n)...)
	rec := &recorder{fail: set("m21"), delay: time.Millisecond} // m21 is in g1
	resp, err := ProcessSQS(t.Context(), ev, rec.handle, quiet, WithSkipGroupOnFailure(), WithConcurrency(groups))
	if err != nil {
		t.Fatal(err)
	}
	var wantFailed []string
	for i := 21; i < n; i += groups {
		wantFailed = append(wantFailed, fmt.Sprintf("m%d", i))
	}
	if diff := cmp.Diff(wantFailed, failedIDs(resp)); diff != "" {
		t.Errorf("reported (-want +got):\n%s", diff)
	}
	perGroup := map[int][]int{}
	for _, b := range rec.seen {
		var i int
		fmt.Sscanf(b, "m%d", &i)
		perGroup[i%groups] = append(perGroup[i%groups], i)
	}
	for g, seq := range perGroup {
		if !slices.IsSorted(seq) {
			t.Errorf("group g%d ran out of order: %v", g, seq)
		}
	}
	if got := len(perGroup[1]); got != 5 { // m1, m6, m11, m16, m21
		t.Errorf("failed group ran %d records, want 5", got)
	}
	if got := rec.maxIn.Load(); got < 2 || got > groups {
		t.Errorf("max groups in flight %d, want 2..%d", got, groups)
	}
}

func TestConcurrencyBound(t *testing.T) {
	for _, c := range []int{0, 1, 3, 16} {
		t.Run(fmt.Sprint(c), func(t *testing.T) {
			rec := &recorder{delay: 2 * time.Millisecond}
			resp, err := ProcessSQS(t.Context(), event(stdARN, nil, ids("m", 40)...), rec.handle, quiet, WithConcurrency(c))
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("resp %v, err %v", resp, err)
			}
			want := int32(max(c, 1))
			if got := rec.maxIn.Load(); got > want || (want > 1 && got < 2) {
				t.Errorf("max in flight %d, bound %d", got, want)
			}
			if len(rec.seen) != 40 {
				t.Errorf("handled %d records, want 40", len(rec.seen))
			}
		})
	}
}

func TestDeadline(t *testing.T) {
	tests := []struct {
		name        string
		timeout     time.Duration
		margin      time.Duration
		delay       time.Duration
		ignoreCtx   bool
		concurrency int
		minDone     int
		maxDone     int
	}{
		{name: "unstarted records reported", timeout: 400 * time.Millisecond, margin: 200 * time.Millisecond, delay: 30 * time.Millisecond,
			concurrency: 1, minDone: 2, maxDone: 7},
		{name: "concurrent", timeout: 400 * time.Millisecond, margin: 200 * time.Millisecond, delay: 30 * time.Millisecond,
			concurrency: 4, minDone: 8, maxDone: 28},
		{name: "handler ignoring ctx is abandoned", timeout: 500 * time.Millisecond, margin: 300 * time.Millisecond, delay: time.Second,
			ignoreCtx: true, concurrency: 1, minDone: 0, maxDone: 0},
		{name: "less than the margin left: nothing starts", timeout: 100 * time.Millisecond, margin: 200 * time.Millisecond, delay: time.Millisecond,
			concurrency: 1, minDone: 0, maxDone: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const n = 40
			ctx, cancel := context.WithTimeout(t.Context(), tt.timeout)
			defer cancel()
			var done atomic.Int32
			var hookCalls atomic.Int32
			var deadlineOutcomes atomic.Int32
			h := func(ctx context.Context, m events.SQSMessage) error {
				if tt.ignoreCtx {
					time.Sleep(tt.delay)
				} else {
					select {
					case <-time.After(tt.delay):
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				done.Add(1)
				return nil
			}
			hook := func(_ context.Context, o Outcome) {
				hookCalls.Add(1)
				if errors.Is(o.Err, ErrDeadline) {
					deadlineOutcomes.Add(1)
				}
			}
			start := time.Now()
			resp, err := ProcessSQS(ctx, event(stdARN, nil, ids("m", n)...), h, quiet, WithDeadlineMargin(tt.margin),
				WithConcurrency(tt.concurrency), WithAllFailed(ReportAll), WithHook(hook))
			elapsed := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			// The contract is to answer before Lambda's timeout; the batch
			// plans to at the deadline minus half the margin.
			if elapsed >= tt.timeout {
				t.Errorf("returned after %s, at or past the invocation deadline %s", elapsed, tt.timeout)
			}
			finished := n - len(resp.BatchItemFailures)
			if finished < tt.minDone || finished > tt.maxDone {
				t.Errorf("%d records succeeded, want %d..%d", finished, tt.minDone, tt.maxDone)
			}
			// Nothing lost: every record either succeeded or is reported.
			if int(done.Load()) < finished {
				t.Errorf("%d records reported as succeeded, only %d handlers finished", finished, done.Load())
			}
			if got := int(deadlineOutcomes.Load()); got == 0 {
				t.Errorf("no outcome with ErrDeadline")
			}
			time.Sleep(tt.delay) // let abandoned handlers end before counting hooks
			if got := hookCalls.Load(); got != n {
				t.Errorf("hook called %d times, want %d (once per record)", got, n)
			}
		})
	}
}

func TestBogusDeadlineIsNoDeadline(t *testing.T) {
	// aws-lambda-go run locally gives a 1970 deadline: already expired, but
	// not a real deadline.
	ctx, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel()
	rec := &recorder{}
	resp, err := ProcessSQS(ctx, event(stdARN, nil, ids("m", 5)...), rec.handle, quiet)
	if err != nil || len(resp.BatchItemFailures) != 0 || len(rec.seen) != 5 {
		t.Fatalf("resp %v, err %v, handled %d", resp, err, len(rec.seen))
	}
}

func TestHookAndRecordContext(t *testing.T) {
	var mu sync.Mutex
	var outcomes []Outcome
	var fromCtx []Record
	h := func(ctx context.Context, m events.SQSMessage) error {
		r, ok := RecordFromContext(ctx)
		if !ok {
			return errors.New("no record in ctx")
		}
		mu.Lock()
		fromCtx = append(fromCtx, r)
		mu.Unlock()
		if m.Body == "m1" {
			return errors.New("bad")
		}
		return nil
	}
	hook := func(ctx context.Context, o Outcome) {
		mu.Lock()
		outcomes = append(outcomes, o)
		mu.Unlock()
	}
	ev := event(fifoARN, func(int) string { return "g" }, ids("m", 3)...)
	if _, err := ProcessSQS(t.Context(), ev, h, quiet, WithHook(hook)); err != nil {
		t.Fatal(err)
	}
	want := []Record{
		{Index: 0, BatchSize: 3, ID: "m0", Group: "g", EventSource: "aws:sqs", EventSourceARN: fifoARN, FIFO: true},
		{Index: 1, BatchSize: 3, ID: "m1", Group: "g", EventSource: "aws:sqs", EventSourceARN: fifoARN, FIFO: true},
	}
	if diff := cmp.Diff(want, fromCtx); diff != "" {
		t.Errorf("records in ctx (-want +got):\n%s", diff)
	}
	if len(outcomes) != 3 {
		t.Fatalf("%d outcomes, want 3", len(outcomes))
	}
	if outcomes[0].Err != nil || outcomes[1].Err == nil || !errors.Is(outcomes[2].Err, ErrSkipped) {
		t.Errorf("outcomes %+v", outcomes)
	}
	if _, ok := RecordFromContext(t.Context()); ok {
		t.Error("RecordFromContext outside a record handler reported a record")
	}
}

func TestPanicOutcome(t *testing.T) {
	var got error
	h := func(ctx context.Context, m events.SQSMessage) error { panic(io.ErrUnexpectedEOF) }
	hook := func(_ context.Context, o Outcome) { got = o.Err }
	_, err := ProcessSQS(t.Context(), event(stdARN, nil, "a"), h, quiet, WithHook(hook))
	var all *AllFailedError
	if !errors.As(err, &all) || all.Records != 1 {
		t.Fatalf("err %v, want *AllFailedError", err)
	}
	var pe *handler.PanicError
	if !errors.As(got, &pe) || len(pe.Stack) == 0 || !errors.Is(got, io.ErrUnexpectedEOF) {
		t.Fatalf("outcome %v, want *handler.PanicError wrapping the panic value", got)
	}
	if handler.ErrorType(err) != "AllFailedError" {
		t.Errorf("error type %q", handler.ErrorType(err))
	}
}

// checkResponse asserts the raw response obeys the mapping's rules for the
// batch in payload and returns the reported ids.
func checkResponse(t *testing.T, payload, resp []byte, ids []string) []string {
	t.Helper()
	var r struct {
		BatchItemFailures []map[string]*string `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(resp, &r); err != nil {
		t.Fatalf("response %q is not JSON: %v", resp, err)
	}
	if r.BatchItemFailures == nil {
		t.Fatalf("response %q has no batchItemFailures list", resp)
	}
	in := set(ids...)
	seen := map[string]bool{}
	var out []string
	for _, item := range r.BatchItemFailures {
		id := item["itemIdentifier"]
		switch {
		case id == nil || *id == "":
			t.Fatalf("response %q has an empty itemIdentifier", resp)
		case !in[*id]:
			t.Fatalf("response %q reports %q, not in the batch", resp, *id)
		case seen[*id]:
			t.Fatalf("response %q reports %q twice", resp, *id)
		}
		seen[*id] = true
		out = append(out, *id)
	}
	return out
}

func TestSQSHandlerRaw(t *testing.T) {
	payload := sqsPayload(30, 300, stdARN)
	h := SQSJSON(func(ctx context.Context, b orderBody, m events.SQSMessage) error {
		if b.Fail {
			return errors.New("fail flag")
		}
		return nil
	}, quiet, WithConcurrency(4))
	resp, err := h.Invoke(t.Context(), payload)
	if err != nil {
		t.Fatal(err)
	}
	ev := sqsEvent(30, 300, stdARN)
	var all []string
	for _, r := range ev.Records {
		all = append(all, r.MessageId)
	}
	got := checkResponse(t, payload, resp, all)
	want := []string{all[9], all[19], all[29]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reported (-want +got):\n%s", diff)
	}
}

func TestSQSJSONBadBody(t *testing.T) {
	ev := event(stdARN, nil, "good", "bad")
	ev.Records[0].Body = `{"orderId":"o-1"}`
	ev.Records[1].Body = `{"orderId":`
	var got error
	h := SQSJSON(func(ctx context.Context, b orderBody, m events.SQSMessage) error { return nil }, quiet,
		WithHook(func(_ context.Context, o Outcome) {
			if o.Record.ID == "bad" {
				got = o.Err
			}
		}))
	resp, err := h.Invoke(t.Context(), mustJSON(ev))
	if err != nil {
		t.Fatal(err)
	}
	if string(resp) != `{"batchItemFailures":[{"itemIdentifier":"bad"}]}` {
		t.Errorf("response %s", resp)
	}
	var de *handler.DecodeError
	if !errors.As(got, &de) || de.Type != "batch.orderBody" {
		t.Errorf("outcome %v, want *handler.DecodeError for batch.orderBody", got)
	}
}

func TestRawHandlerErrors(t *testing.T) {
	ok := func(context.Context, events.SQSMessage) error { return nil }
	tests := []struct {
		name    string
		payload string
		want    any
	}{
		{"not JSON", `{"Records":`, new(*handler.DecodeError)},
		{"wrong type", `{"Records":{"a":1}}`, new(*handler.DecodeError)},
		{"empty payload", ``, new(*EventError)},
		{"no Records", `{"detail-type":"x"}`, new(*EventError)},
		{"kinesis event to SQS", `{"Records":[{"eventSource":"aws:kinesis","messageId":"1"}]}`, new(*EventError)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SQS(ok, quiet).Invoke(t.Context(), []byte(tt.payload))
			if err == nil || !errors.As(err, tt.want) {
				t.Fatalf("error %v, want %T", err, tt.want)
			}
		})
	}
}

func TestSpanAnnotations(t *testing.T) {
	tr := &handlertest.Tracer{}
	h := handler.Chain(SQS(func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == "m2" {
			return errors.New("x")
		}
		return nil
	}, quiet), handler.Tracing(tr))
	if _, err := h.Invoke(t.Context(), mustJSON(event(stdARN, nil, ids("m", 4)...))); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"batch.records": 4, "batch.failed": 1}
	if diff := cmp.Diff(want, tr.Annotations()); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
}

func TestResponseEncoding(t *testing.T) {
	tests := []struct {
		ids  []string
		want string
	}{
		{nil, `{"batchItemFailures":[]}`},
		{[]string{"a"}, `{"batchItemFailures":[{"itemIdentifier":"a"}]}`},
		{[]string{"a", `q"<é>`}, `{"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"q\"<é>"}]}`},
	}
	for _, tt := range tests {
		got := string(appendResponse(nil, tt.ids))
		if got != tt.want {
			t.Errorf("appendResponse(%q) = %s, want %s", tt.ids, got, tt.want)
		}
		var r events.SQSEventResponse
		if err := json.Unmarshal([]byte(got), &r); err != nil {
			t.Errorf("%s: %v", got, err)
		}
		if diff := cmp.Diff(len(tt.ids), len(r.BatchItemFailures), cmpopts.EquateEmpty()); diff != "" {
			t.Error(diff)
		}
	}
}

func TestHookPanicIsContained(t *testing.T) {
	hook := func(context.Context, Outcome) { panic("hook") }
	rec := &recorder{fail: set("m1")}
	resp, err := ProcessSQS(t.Context(), event(stdARN, nil, ids("m", 4)...), rec.handle, quiet, WithHook(hook), WithConcurrency(2))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"m1"}, failedIDs(resp)); diff != "" {
		t.Errorf("reported (-want +got):\n%s", diff)
	}
}

// TestRecordContextCancellation checks that a record's ctx, which is not a
// context.WithValue, carries the parent's cancellation and values and works
// as the parent of derived contexts.
func TestRecordContextCancellation(t *testing.T) {
	type key struct{}
	parent, cancel := context.WithCancel(context.WithValue(t.Context(), key{}, "v"))
	started := make(chan struct{})
	var derivedErr error
	var value any
	h := func(ctx context.Context, m events.SQSMessage) error {
		value = ctx.Value(key{})
		derived, stop := context.WithTimeout(ctx, time.Hour)
		defer stop()
		close(started)
		<-derived.Done()
		derivedErr = derived.Err()
		return derivedErr
	}
	go func() { <-started; cancel() }()
	_, err := ProcessSQS(parent, event(stdARN, nil, "m0"), h, quiet)
	var all *AllFailedError
	if !errors.As(err, &all) {
		t.Fatalf("err %v, want *AllFailedError", err)
	}
	if !errors.Is(derivedErr, context.Canceled) || value != "v" {
		t.Errorf("derived ctx error %v, value %v", derivedErr, value)
	}
}
