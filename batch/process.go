package batch

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lambdakit/lambdakit/handler"
)

// RecordHandler handles one record; a non-nil error (or a panic) fails that
// record only.
type RecordHandler[R any] func(ctx context.Context, record R) error

// order says how the records of a batch may run.
type order int

const (
	// unordered records are independent: a worker pool runs them in any order.
	unordered order = iota
	// strict runs the batch one record at a time and a failure fails every
	// later record (FIFO, Kinesis, DynamoDB Streams).
	strict
	// perGroup runs each group's records in order; a failure fails the rest of
	// its group only; groups run concurrently (FIFO with skip-group).
	perGroup
)

// record states; a record moves from pending to running to one of the final
// states, or from pending straight to skipped.
const (
	statePending = iota
	stateRunning
	stateDone
	stateSkipped
)

// plan is the source-specific description of a batch the engine runs.
type plan struct {
	meta  []Record // one per record; handlers get a pointer to theirs in ctx
	order order
}

// run holds one invocation's bookkeeping. Workers write results under mu;
// once closed is set, late results from abandoned handlers are dropped, so
// the answer never changes after it is built.
type run[R any] struct {
	records []R
	h       RecordHandler[R]
	o       *options
	plan    *plan

	ctxs []recordCtx // one per record, allocated once per batch

	mu     sync.Mutex
	closed bool
	state  []uint8
	errs   []error
}

// process runs h over records under the plan's rules and returns the outcome
// error of each record (nil for success). It returns only once every record
// has an outcome: finished, skipped, or given up at the deadline.
func process[R any](ctx context.Context, records []R, h RecordHandler[R], o *options, p *plan) []error {
	n := len(records)
	r := &run[R]{records: records, h: h, o: o, plan: p, state: make([]uint8, n), errs: make([]error, n)}
	if n == 0 {
		return r.errs
	}

	// A zero or 1970 deadline (a local run of aws-lambda-go) has already
	// cancelled ctx; keep its values, drop the bogus cancellation.
	remaining, hasDeadline := handler.Remaining(ctx)
	if _, set := ctx.Deadline(); set && !hasDeadline {
		ctx = context.WithoutCancel(ctx)
	}
	var runCtx context.Context
	var cancel context.CancelFunc
	if hasDeadline {
		// Records stop starting, and those in flight are cancelled, when
		// less than the margin is left.
		runCtx, cancel = context.WithTimeout(ctx, remaining-o.margin)
	} else {
		runCtx, cancel = context.WithCancel(ctx)
	}
	defer cancel()

	// Workers take the next unit from a shared counter: a unit is one record
	// of an unordered batch, or the whole ordered sequence of a group.
	var units [][]int
	nUnits := n
	if p.order != unordered {
		units = r.units()
		nUnits = len(units)
	}
	workers := 1
	if p.order != strict {
		workers = min(o.concurrency, nUnits)
	}
	r.ctxs = make([]recordCtx, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(workers)
	for range workers {
		go func() {
			defer wg.Done()
			for {
				u := int(next.Add(1) - 1)
				switch {
				case u >= nUnits:
					return
				case units == nil:
					r.runUnit(runCtx, []int{u})
				default:
					r.runUnit(runCtx, units[u])
				}
			}
		}()
	}
	allDone := make(chan struct{})
	go func() { wg.Wait(); close(allDone) }()

	select {
	case <-allDone:
	case <-runCtx.Done():
		if hasDeadline {
			// Records in flight see their ctx cancelled now; give them half
			// the margin to return before answering without them.
			grace := time.NewTimer(o.margin / 2)
			select {
			case <-allDone:
			case <-grace.C:
			}
			grace.Stop()
		} else {
			<-allDone
		}
	}
	return r.finish(ctx)
}

// units splits an ordered batch into sequences that run in order, one
// sequence per worker at a time.
func (r *run[R]) units() [][]int {
	n := len(r.records)
	switch r.plan.order {
	case strict:
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		return [][]int{all}
	default:
		byGroup := make(map[string]int)
		var units [][]int
		for i := range r.plan.meta {
			g := r.plan.meta[i].Group
			u, ok := byGroup[g]
			if !ok {
				u = len(units)
				byGroup[g] = u
				units = append(units, nil)
			}
			units[u] = append(units[u], i)
		}
		return units
	}
}

// runUnit runs the records of one unit in order until one fails (ordered
// plans: the rest of the unit is skipped) or the run context is done.
func (r *run[R]) runUnit(ctx context.Context, unit []int) {
	for k, i := range unit {
		if ctx.Err() != nil {
			return // left pending: reported with ErrDeadline
		}
		if !r.start(i) {
			return
		}
		err := r.call(ctx, i)
		if err != nil && r.plan.order != unordered {
			r.skip(unit[k+1:])
			return
		}
	}
}

func (r *run[R]) start(i int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.state[i] = stateRunning
	return true
}

func (r *run[R]) skip(idx []int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	for _, i := range idx {
		if r.state[i] == statePending {
			r.state[i] = stateSkipped
			r.errs[i] = ErrSkipped
		}
	}
}

// call runs the handler for record i with its metadata in ctx, turns a panic
// into a *[handler.PanicError] (only that record fails; the batch goes on), records the result and calls the hook.
func (r *run[R]) call(ctx context.Context, i int) (err error) {
	meta := &r.plan.meta[i]
	rc := &r.ctxs[i]
	rc.Context, rc.rec = ctx, meta
	var rctx context.Context = rc
	start := time.Now()
	func() {
		defer func() {
			if v := recover(); v != nil {
				pe := &handler.PanicError{Value: v, Stack: debug.Stack()}
				r.o.logger.ErrorContext(rctx, "batch: record handler panicked",
					"id", meta.ID, "index", i, "panic", fmt.Sprint(v), "stack", string(pe.Stack))
				err = pe
			}
		}()
		err = r.h(rctx, r.records[i])
	}()
	d := time.Since(start)

	r.mu.Lock()
	late := r.closed
	if !late {
		r.state[i], r.errs[i] = stateDone, err
	}
	r.mu.Unlock()
	if late {
		// The answer was built without this record (ErrDeadline); its hook
		// already ran.
		return err
	}
	if err != nil && r.o.logger.Enabled(rctx, slog.LevelDebug) {
		r.o.logger.DebugContext(rctx, "batch: record failed", "id", meta.ID, "index", i, "error", err)
	}
	r.hook(rctx, Outcome{Record: *meta, Err: err, Duration: d})
	return err
}

// hook calls the outcome hook, if any. A panic in it is logged and dropped:
// it runs on a worker goroutine, where nothing above could recover it, and a
// metrics hook must not take the function down.
func (r *run[R]) hook(ctx context.Context, o Outcome) {
	if r.o.hook == nil {
		return
	}
	defer func() {
		if v := recover(); v != nil {
			r.o.logger.ErrorContext(ctx, "batch: outcome hook panicked", "id", o.Record.ID, "panic", fmt.Sprint(v))
		}
	}()
	r.o.hook(ctx, o)
}

// finish closes the run, gives every unfinished record its error and calls
// the hook for records that did not run to the end.
func (r *run[R]) finish(ctx context.Context) []error {
	r.mu.Lock()
	r.closed = true
	var late []int
	for i, s := range r.state {
		switch s {
		case statePending, stateRunning:
			r.errs[i] = ErrDeadline
			late = append(late, i)
		case stateSkipped:
			late = append(late, i)
		}
	}
	r.mu.Unlock()
	for _, i := range late {
		r.hook(ctx, Outcome{Record: r.plan.meta[i], Err: r.errs[i]})
	}
	return r.errs
}

// settle applies the all-failed policy, logs and annotates the span, and
// returns the indices to report, in batch order.
func settle(ctx context.Context, o *options, kind string, meta []Record, errs []error) ([]int, error) {
	var failed []int
	var first error
	for i, err := range errs {
		if err != nil {
			if first == nil {
				first = err
			}
			failed = append(failed, i)
		}
	}
	handler.Annotate(ctx, "batch.records", len(errs))
	handler.Annotate(ctx, "batch.failed", len(failed))
	if len(failed) == 0 {
		return nil, nil
	}
	o.logger.WarnContext(ctx, "batch: records failed", "source", kind,
		"records", len(errs), "failed", len(failed), "firstId", meta[failed[0]].ID, "firstError", first)
	if len(failed) == len(errs) && o.allFailed == ReturnError {
		return nil, &AllFailedError{Records: len(errs), First: first}
	}
	return dedupe(failed, meta), nil
}

// dedupe drops indices whose id was already reported, so each identifier
// appears at most once even if a batch carried a record twice.
func dedupe(failed []int, meta []Record) []int {
	if len(failed) < 2 {
		return failed
	}
	seen := make(map[string]struct{}, len(failed))
	out := failed[:0]
	for _, i := range failed {
		if _, ok := seen[meta[i].ID]; ok {
			continue
		}
		seen[meta[i].ID] = struct{}{}
		out = append(out, i)
	}
	return out
}

// processIDs processes recs under plan p and returns the ids of the records to
// report as failed, for any event source.
func processIDs[R any](ctx context.Context, recs []R, h RecordHandler[R], o *options, p *plan, kind string) ([]string, error) {
	errs := process(ctx, recs, h, o, p)
	failed, err := settle(ctx, o, kind, p.meta, errs)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(failed))
	for k, i := range failed {
		ids[k] = p.meta[i].ID
	}
	return ids, nil
}
