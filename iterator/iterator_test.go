package iterator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/handler"
	"github.com/lambdakit/lambdakit/handler/handlertest"
)

// fakeClock is a clock that moves only when a test advances it.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func quiet() Option { return WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))) }

// job is the state of the test jobs: Next items of Total are processed.
type job struct {
	Next  int `json:"next"`
	Total int `json:"total"`
}

// countingStep processes one item per step, taking d on the fake clock, and
// records every item it processes.
type countingStep struct {
	mu    sync.Mutex
	clock *fakeClock
	d     func(i int) time.Duration
	total int
	seen  map[int]int
	calls int
}

func (s *countingStep) step(ctx context.Context, st *job) (bool, error) {
	s.mu.Lock()
	s.calls++
	if s.seen == nil {
		s.seen = map[int]int{}
	}
	s.seen[st.Next]++
	s.mu.Unlock()
	if s.clock != nil {
		s.clock.Advance(s.d(st.Next))
	}
	st.Total = s.total
	st.Next++
	return st.Next >= s.total, nil
}

func TestStoppingRuleUsesBudgetAndNeverRunsOver(t *testing.T) {
	tests := []struct {
		name    string
		budget  time.Duration
		margin  time.Duration
		step    func(i int) time.Duration
		minUtil float64 // work time / budget, over the invocations that did not complete
	}{
		{"constant 1s steps, 15 min", 15 * time.Minute, time.Second, func(int) time.Duration { return time.Second }, 0.99},
		{"constant 10ms steps, 1s", time.Second, 10 * time.Millisecond, func(int) time.Duration { return 10 * time.Millisecond }, 0.95},
		{"varying 5-15ms steps, 1s", time.Second, 10 * time.Millisecond, func(i int) time.Duration { return time.Duration(5+(i*7919)%11) * time.Millisecond }, 0.95},
		{"classic 60s margin", 15 * time.Minute, time.Minute, func(int) time.Duration { return 2 * time.Second }, 0.92},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			cs := &countingStep{clock: clock, d: tt.step, total: 1 << 30}
			it := New(NewMemoryStore(), cs.step, WithBudget(tt.budget), WithMargin(tt.margin), withClock(clock.Now), quiet())
			for inv := range 3 {
				start := clock.Now()
				out, err := it.Run(t.Context(), "job")
				if err != nil {
					t.Fatal(err)
				}
				used := clock.Now().Sub(start)
				if used > tt.budget-tt.margin {
					t.Errorf("invocation %d used %s, more than the budget %s minus the margin %s", inv, used, tt.budget, tt.margin)
				}
				if util := float64(used) / float64(tt.budget); util < tt.minUtil {
					t.Errorf("invocation %d: utilisation %.4f < %.2f (%d steps)", inv, util, tt.minUtil, out.InvocationIterations)
				}
			}
		})
	}
}

func TestStoppingRuleWithContextDeadline(t *testing.T) {
	// The deadline is real but far away; the fake clock, which starts at
	// the same instant, decides how much of it the steps use.
	clock := &fakeClock{t: time.Now()}
	ctx, cancel := context.WithDeadline(t.Context(), clock.Now().Add(time.Minute))
	defer cancel()
	cs := &countingStep{clock: clock, d: func(int) time.Duration { return 3 * time.Second }, total: 1000}
	it := New(NewMemoryStore(), cs.step, WithMargin(5*time.Second), WithBudget(time.Hour), withClock(clock.Now), quiet())
	out, err := it.Run(ctx, "job")
	if err != nil {
		t.Fatal(err)
	}
	// 55s of usable time: another step while 3.75s (3s learned + a
	// quarter) fit, so 18 steps take 54s.
	if out.InvocationIterations != 18 {
		t.Errorf("ran %d steps, want 18 (the budget is the context deadline, not WithBudget)", out.InvocationIterations)
	}
}

func TestPriorEstimateCarriesOver(t *testing.T) {
	clock := newFakeClock()
	long := true
	step := func(ctx context.Context, st *job) (bool, error) {
		if long {
			clock.Advance(10 * time.Second)
		} else {
			clock.Advance(time.Second)
		}
		st.Next++
		return false, nil
	}
	store := NewMemoryStore()
	it := New(store, step, WithBudget(12*time.Second), WithMargin(0), withClock(clock.Now), quiet())
	if _, err := it.Run(t.Context(), "k"); err != nil {
		t.Fatal(err)
	}
	cp, _ := store.Load("k")
	if cp.StepEstimate != 10*time.Second {
		t.Fatalf("saved step estimate %s, want 10s", cp.StepEstimate)
	}
	// The steps are now 1s, but the learned 10s (12.5s with headroom) does
	// not fit in the 11s left after the first step, which always runs so
	// that the job makes progress.
	long = false
	out, err := it.Run(t.Context(), "k")
	if err != nil {
		t.Fatal(err)
	}
	if out.InvocationIterations != 1 {
		t.Errorf("second invocation ran %d steps, want 1 (the learned 10s leaves no room for a second)", out.InvocationIterations)
	}
}

func TestJobCompletesExactlyOnceAcrossInvocations(t *testing.T) {
	clock := newFakeClock()
	cs := &countingStep{clock: clock, d: func(int) time.Duration { return 100 * time.Millisecond }, total: 95}
	store := NewMemoryStore()
	it := New(store, cs.step, WithBudget(time.Second), WithMargin(50*time.Millisecond), withClock(clock.Now), quiet(),
		WithResult(func(s job) any { return map[string]int{"processed": s.Next} }))
	var outs []Output
	for range 100 {
		out, err := it.Run(t.Context(), "job-1")
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, out)
		if out.IsCompleted {
			break
		}
	}
	last := outs[len(outs)-1]
	if !last.IsCompleted || len(outs) < 5 {
		t.Fatalf("finished after %d invocations, completed=%v; want several invocations then completed", len(outs), last.IsCompleted)
	}
	for i := range 95 {
		if cs.seen[i] != 1 {
			t.Errorf("item %d processed %d times, want exactly once", i, cs.seen[i])
		}
	}
	want := Output{Key: "job-1", IsCompleted: true, Iterations: 95, InvocationIterations: last.InvocationIterations,
		Invocations: int64(len(outs)), Result: json.RawMessage(`{"processed":95}`)}
	if diff := cmp.Diff(want, last); diff != "" {
		t.Errorf("last output (-want +got):\n%s", diff)
	}

	// A completed key stays completed: the step is not run, nothing is written.
	calls := cs.calls
	before, _ := store.Load("job-1")
	again, err := it.Run(t.Context(), "job-1")
	if err != nil {
		t.Fatal(err)
	}
	after, _ := store.Load("job-1")
	if cs.calls != calls {
		t.Errorf("step ran %d more times on a completed key", cs.calls-calls)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("completed checkpoint changed (-before +after):\n%s", diff)
	}
	want.InvocationIterations = 0
	if diff := cmp.Diff(want, again); diff != "" {
		t.Errorf("re-invoked output (-want +got):\n%s", diff)
	}
}

func TestConflict(t *testing.T) {
	t.Run("lease held", func(t *testing.T) {
		clock := newFakeClock()
		store := NewMemoryStore()
		if _, err := store.Claim(t.Context(), "k", Lease{Owner: "other", Now: clock.Now(), Until: clock.Now().Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		ran := false
		it := New(store, func(context.Context, *job) (bool, error) { ran = true; return true, nil }, withClock(clock.Now), quiet())
		_, err := it.Run(t.Context(), "k")
		var ce *ConflictError
		if !errors.As(err, &ce) || !errors.Is(err, ErrConflict) || ce.Holder != "other" {
			t.Fatalf("err = %v, want a *ConflictError from holder other", err)
		}
		if ran {
			t.Error("the loser ran the step")
		}
		if got := handler.ErrorType(err); got != "ConflictError" {
			t.Errorf("ErrorType = %q, want ConflictError", got)
		}
		// After the lease expires, the key can be claimed.
		clock.Advance(time.Minute)
		if _, err := it.Run(t.Context(), "k"); err != nil {
			t.Fatalf("after the lease expired: %v", err)
		}
	})

	t.Run("concurrent invocations", func(t *testing.T) {
		store := NewMemoryStore()
		release := make(chan struct{})
		var mu sync.Mutex
		steps := 0
		step := func(ctx context.Context, st *job) (bool, error) {
			<-release
			mu.Lock()
			steps++
			mu.Unlock()
			st.Next++
			return true, nil
		}
		it := New(store, step, quiet())
		const n = 8
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				_, err := it.Run(t.Context(), "k")
				errs <- err
			})
		}
		// All but the winner fail fast with a conflict; then let it finish.
		conflicts := 0
		for range n - 1 {
			if err := <-errs; !errors.Is(err, ErrConflict) {
				t.Errorf("err = %v, want a conflict", err)
			}
			conflicts++
		}
		close(release)
		wg.Wait()
		if err := <-errs; err != nil {
			t.Errorf("winner: %v", err)
		}
		if steps != 1 {
			t.Errorf("%d steps ran, want 1: only the winner works", steps)
		}
		cp, _ := store.Load("k")
		if cp.Version != 1 || !cp.Completed || string(cp.State) != `{"next":1,"total":0}` {
			t.Errorf("checkpoint = %+v, want version 1, completed, next 1", cp)
		}
	})

	t.Run("lease taken over during the invocation", func(t *testing.T) {
		clock := newFakeClock()
		store := NewMemoryStore()
		var other *Iterator[job]
		first := true
		step := func(ctx context.Context, st *job) (bool, error) {
			st.Next++
			if first {
				// This invocation overruns its lease; another takes over
				// the key and saves before this one gets to.
				first = false
				clock.Advance(time.Hour)
				if _, err := other.Run(context.WithoutCancel(ctx), "k"); err != nil { // its own invocation, not this deadline
					return false, fmt.Errorf("other invocation: %w", err)
				}
			}
			return false, nil
		}
		opts := []Option{WithBudget(10 * time.Second), WithMargin(0), withClock(clock.Now), quiet()}
		other = New(store, func(ctx context.Context, st *job) (bool, error) {
			clock.Advance(time.Second)
			st.Next += 100
			return true, nil
		}, opts...)
		it := New(store, step, opts...)
		_, err := it.Run(t.Context(), "k")
		if !errors.Is(err, ErrConflict) {
			t.Fatalf("err = %v, want a conflict at save", err)
		}
		cp, _ := store.Load("k")
		if string(cp.State) != `{"next":100,"total":0}` || !cp.Completed || cp.Version != 1 {
			t.Errorf("checkpoint = %+v; want the other invocation's save, untouched by the loser", cp)
		}
	})
}

func TestFailedInvocationKeepsLastGoodCheckpoint(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		state   []byte
		step    Step[job]
		wantErr func(error) bool
	}{
		{
			name:  "step error",
			state: []byte(`{"next":3,"total":10}`),
			step: func(ctx context.Context, st *job) (bool, error) {
				st.Next = 999 // changed, then failed: must not be saved
				return false, boom
			},
			wantErr: func(err error) bool {
				var se *StepError
				return errors.As(err, &se) && se.Iteration == 3 && errors.Is(err, boom)
			},
		},
		{
			name:  "step panics after steps succeeded",
			state: []byte(`{"next":3,"total":10}`),
			step: func(ctx context.Context, st *job) (bool, error) {
				if st.Next == 5 {
					panic("kaboom")
				}
				st.Next++
				return false, nil
			},
			wantErr: func(err error) bool {
				var se *StepError
				var pe *handler.PanicError
				return errors.As(err, &se) && se.Iteration == 5 && errors.As(err, &pe) && pe.Value == "kaboom" && len(pe.Stack) > 0
			},
		},
		{
			name:  "checkpoint does not decode",
			state: []byte(`{"next":"three"}`),
			step:  func(context.Context, *job) (bool, error) { panic("step must not run") },
			wantErr: func(err error) bool {
				var de *CheckpointDecodeError
				return errors.As(err, &de) && de.Type == "iterator.job" && de.Key == "k"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := NewMemoryStore()
			good := Checkpoint{Key: "k", Version: 4, State: tt.state, Iterations: 3, Invocations: 4}
			store.Put(good)
			_, err := New(store, tt.step, quiet()).Run(t.Context(), "k")
			if !tt.wantErr(err) {
				t.Fatalf("err = %#v (%v): not the expected type", err, err)
			}
			got, _ := store.Load("k")
			// The claim counted the invocation; nothing else changed.
			want := good
			want.Invocations, want.ExecutionInvocations = 5, 1
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("checkpoint after failure (-want +got):\n%s", diff)
			}
			// The lease was released: a retry can claim at once.
			if _, err := store.Claim(t.Context(), "k", Lease{Owner: "retry", Now: time.Now(), Until: time.Now().Add(time.Minute)}); err != nil {
				t.Errorf("retry claim: %v", err)
			}
		})
	}
}

func TestStateThatDoesNotEncode(t *testing.T) {
	store := NewMemoryStore()
	it := New(store, func(ctx context.Context, st *map[string]any) (bool, error) {
		*st = map[string]any{"f": func() {}}
		return true, nil
	}, quiet())
	_, err := it.Run(t.Context(), "k")
	var se *StepError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *StepError", err)
	}
	if cp, _ := store.Load("k"); cp.Version != 0 || cp.Completed {
		t.Errorf("checkpoint = %+v, want unsaved", cp)
	}
}

// failingStore fails every call with err.
type failingStore struct{ err error }

func (s failingStore) Claim(context.Context, string, Lease) (Checkpoint, error) {
	return Checkpoint{}, s.err
}
func (s failingStore) Save(context.Context, Checkpoint, string) error { return s.err }
func (s failingStore) Release(context.Context, string, string) error  { return s.err }

// saveFails is a MemoryStore whose saves fail with err.
type saveFails struct {
	*MemoryStore
	err error
}

func (s saveFails) Save(context.Context, Checkpoint, string) error { return s.err }

func TestStoreErrors(t *testing.T) {
	unreachable := errors.New("dial tcp: connection refused")
	step := func(context.Context, *job) (bool, error) { return true, nil }

	_, err := New[job](failingStore{unreachable}, step, quiet()).Run(t.Context(), "k")
	var se *StoreError
	if !errors.As(err, &se) || se.Op != "claim" || !errors.Is(err, unreachable) {
		t.Errorf("claim: err = %v, want *StoreError{Op: claim} wrapping the cause", err)
	}

	mem := NewMemoryStore()
	_, err = New[job](saveFails{mem, unreachable}, step, quiet()).Run(t.Context(), "k")
	if !errors.As(err, &se) || se.Op != "save" {
		t.Errorf("save: err = %v, want *StoreError{Op: save}", err)
	}
	// The failed save gave the lease back.
	if _, err := mem.Claim(t.Context(), "k", Lease{Owner: "x", Now: time.Now(), Until: time.Now().Add(time.Minute)}); err != nil {
		t.Errorf("claim after a failed save: %v", err)
	}
	tooLarge := &TooLargeError{Key: "k", Size: 500_000, Limit: MaxItemSize}
	_, err = New[job](saveFails{mem, tooLarge}, step, WithLeaseSlack(0), quiet()).Run(t.Context(), "other")
	var tl *TooLargeError
	if !errors.As(err, &tl) {
		t.Errorf("save: err = %v, want *TooLargeError", err)
	}
	// A too-large checkpoint releases the lease, so the key is free.
	if _, err := mem.Claim(t.Context(), "other", Lease{Owner: "x", Now: time.Now(), Until: time.Now().Add(time.Minute)}); err != nil {
		t.Errorf("claim after too large: %v", err)
	}
}

func TestContinueAsNew(t *testing.T) {
	store := NewMemoryStore()
	step := func(ctx context.Context, st *job) (bool, error) { st.Next++; return st.Next >= 7, nil }
	it := New(store, step, WithBudget(time.Hour), quiet(), WithContinueAfter(3))
	// One step per invocation: a prior estimate of a whole hour stops each
	// invocation after its first step.
	store.Put(Checkpoint{Key: "k", StepEstimate: time.Hour})
	var got []bool
	for {
		out, err := it.Run(t.Context(), "k")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, out.ContinueAsNew)
		if out.IsCompleted {
			break
		}
	}
	want := []bool{false, false, true, false, false, true, false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ContinueAsNew per invocation (-want +got):\n%s", diff)
	}
}

func TestBadInput(t *testing.T) {
	it := New(NewMemoryStore(), func(context.Context, *job) (bool, error) { return true, nil }, quiet())
	h := it.Handler()
	tests := []struct {
		name    string
		payload string
		errType string
	}{
		{"no key", `{}`, "InputError"},
		{"not json", `{"Key":`, "DecodeError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h(t.Context(), []byte(tt.payload))
			if got := handler.ErrorType(err); got != tt.errType {
				t.Errorf("error type %q (%v), want %q", got, err, tt.errType)
			}
		})
	}
}

func TestNewPanicsOnWrongResultType(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New did not panic on a WithResult function for another type")
		}
	}()
	New(NewMemoryStore(), func(context.Context, *job) (bool, error) { return true, nil }, WithResult(func(s string) any { return s }))
}

func TestKeyInStepContext(t *testing.T) {
	var got string
	it := New(NewMemoryStore(), func(ctx context.Context, _ *job) (bool, error) { got = Key(ctx); return true, nil }, quiet())
	if _, err := it.Run(t.Context(), "the-key"); err != nil {
		t.Fatal(err)
	}
	if got != "the-key" {
		t.Errorf("Key(ctx) = %q in the step", got)
	}
}

// TestHandlerOutputGolden pins the wire format the state machine's Choice
// state reads.
func TestHandlerOutputGolden(t *testing.T) {
	store := NewMemoryStore()
	it := New(store, func(ctx context.Context, st *job) (bool, error) { st.Next++; return st.Next == 2, nil },
		quiet(), WithResult(func(s job) any { return struct{ Processed int }{s.Next} }))
	h := it.Handler()
	var got []json.RawMessage
	for range 2 {
		out, err := h(t.Context(), []byte(`{"Key":"job-42"}`))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, out)
	}
	gotJSON, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "output.golden.json")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(path, append(gotJSON, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wantJSON, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want, have any
	if err := json.Unmarshal(wantJSON, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(gotJSON, &have); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("output (-golden +got):\n%s", diff)
	}
}

// TestDocASLIsTestdataASL keeps the state machine in the package
// documentation identical to the one the end-to-end test deploys.
func TestDocASLIsTestdataASL(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var block []string
	in := false
	for line := range strings.Lines(string(src)) {
		code, ok := strings.CutPrefix(line, "//\t")
		switch {
		case ok && strings.HasPrefix(code, "{") && !in && len(block) == 0:
			in = true
			block = append(block, code)
		case in && ok:
			block = append(block, code)
		case in:
			in = false
		}
	}
	var fromDoc, fromFile map[string]any
	if err := json.Unmarshal([]byte(strings.Join(block, "")), &fromDoc); err != nil {
		t.Fatalf("the ASL in doc.go is not JSON: %v", err)
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "statemachine.asl.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &fromFile); err != nil {
		t.Fatal(err)
	}
	delete(fromFile, "Comment")
	if diff := cmp.Diff(fromFile, fromDoc); diff != "" {
		t.Errorf("doc.go ASL differs from testdata/statemachine.asl.json (-testdata +doc):\n%s", diff)
	}
}

func TestSaveAfterContextEnds(t *testing.T) {
	store := NewMemoryStore()
	ctx, cancel := context.WithCancel(t.Context())
	var hadDeadline bool
	it := New(store, func(stepCtx context.Context, st *job) (bool, error) {
		_, hadDeadline = stepCtx.Deadline()
		st.Next++
		cancel() // the invocation is being shut down: stop, but keep the work
		return false, nil
	}, WithBudget(time.Minute), quiet())
	out, err := it.Run(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if !hadDeadline {
		t.Error("the step's context had no deadline; want the budget's end minus the margin")
	}
	cp, _ := store.Load("k")
	if out.InvocationIterations != 1 || cp.Version != 1 || string(cp.State) != `{"next":1,"total":0}` {
		t.Errorf("output %+v, checkpoint %+v: want the one step saved", out, cp)
	}
}

func TestAnnotatesOutcomes(t *testing.T) {
	store := NewMemoryStore()
	step := func(ctx context.Context, st *job) (bool, error) { st.Next++; return st.Next == 2, nil }
	tests := []struct {
		name string
		run  func(h handler.HandlerFunc)
		want map[string]any
	}{
		{
			name: "saved and completed",
			run:  func(h handler.HandlerFunc) { _, _ = h(t.Context(), []byte(`{"Key":"a"}`)) },
			want: map[string]any{"iterator.checkpoint_saved": true, "iterator.completed": true, "iterator.steps": int64(2)},
		},
		{
			name: "conflict",
			run: func(h handler.HandlerFunc) {
				_, _ = store.Claim(t.Context(), "b", Lease{Owner: "x", Now: time.Now(), Until: time.Now().Add(time.Hour)})
				_, _ = h(t.Context(), []byte(`{"Key":"b"}`))
			},
			want: map[string]any{"iterator.conflict": true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &handlertest.Tracer{}
			tt.run(New(store, step, WithBudget(time.Minute), quiet()).Handler(handler.Tracing(tr)))
			if diff := cmp.Diff(tt.want, tr.Annotations()); diff != "" {
				t.Errorf("annotations (-want +got):\n%s", diff)
			}
		})
	}
}
