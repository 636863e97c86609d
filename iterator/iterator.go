package iterator

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"runtime/debug"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdakit/lambdakit/handler"
)

// Step does one bounded piece of the work on state, in place, and reports
// whether the whole job is done. It should take much less than the
// invocation's time (say under a twentieth of it), because the iterator stops
// between steps, never inside one. A step that returns an error or panics
// fails the invocation, and the state changes of the whole invocation are
// thrown away, so a step may leave state half-changed when it fails.
type Step[S any] func(ctx context.Context, state *S) (done bool, err error)

// Input is the payload of the Lambda handler [Iterator.Handler] returns.
type Input struct {
	// Key identifies the job's checkpoint. It must stay the same across
	// continue-as-new executions, so it is a job id from the execution input
	// rather than the execution name.
	Key string `json:"Key"`
}

// Output is the result of an invocation: the JSON a Choice state tests.
type Output struct {
	// Key is the checkpoint key.
	Key string `json:"Key"`
	// IsCompleted is true once the step has reported the job done.
	IsCompleted bool `json:"IsCompleted"`
	// ContinueAsNew is true when this execution has run the iterator
	// [WithContinueAfter] times and the state machine should start a new
	// execution with the same key instead of looping again.
	ContinueAsNew bool `json:"ContinueAsNew"`
	// Iterations is the number of steps completed over all invocations.
	Iterations int64 `json:"Iterations"`
	// InvocationIterations is the number of steps this invocation ran.
	InvocationIterations int64 `json:"InvocationIterations"`
	// Invocations is the number of invocations that worked on the key.
	Invocations int64 `json:"Invocations"`
	// Result is what the [WithResult] function returned, if there is one.
	Result json.RawMessage `json:"Result,omitempty"`
}

// Iterator runs a [Step] over a checkpointed state until the job is done or
// the invocation's time is up. It is safe for concurrent invocations; those
// on the same key exclude each other through the [Store].
type Iterator[S any] struct {
	store    Store
	step     Step[S]
	o        options
	result   func(S) any
	typeName string
}

// New returns an Iterator that runs step over the state of type S kept in
// store. S must encode to and decode from JSON; a key with no checkpoint
// starts from the zero S. New panics if store or step is nil, or if a
// [WithResult] function is not for S: these are programming errors.
func New[S any](store Store, step Step[S], opts ...Option) *Iterator[S] {
	if store == nil || step == nil {
		panic("iterator: New needs a store and a step")
	}
	it := &Iterator[S]{store: store, step: step, o: newOptions(opts), typeName: reflect.TypeFor[S]().String()}
	if it.o.result != nil {
		fn, ok := it.o.result.(func(S) any)
		if !ok {
			panic(fmt.Sprintf("iterator: WithResult function %T is not a func(%s) any", it.o.result, it.typeName))
		}
		it.result = fn
	}
	return it
}

// Handler returns the iterator as a Lambda handler taking an [Input] and
// returning an [Output], decorated with mws (see handler.New).
func (it *Iterator[S]) Handler(mws ...handler.Middleware) handler.HandlerFunc {
	return handler.New(func(ctx context.Context, in Input) (Output, error) {
		return it.Run(ctx, in.Key)
	}, mws...)
}

type keyCtxKey struct{}

// Key returns the checkpoint key of the invocation a step runs in, or "".
func Key(ctx context.Context) string {
	k, _ := ctx.Value(keyCtxKey{}).(string)
	return k
}

// Run does one invocation's share of the job for key: it claims the
// checkpoint, runs steps while the next one is predicted to fit in the time
// left (see [WithMargin]), saves the checkpoint and returns the output. The
// time left is the context's deadline, or [WithBudget] when it has none.
//
// A completed key returns its output without running the step or writing.
// Errors are typed: [*ConflictError] when another invocation holds or took
// the key, [*CheckpointDecodeError], [*StepError], [*TooLargeError],
// [*StoreError], [*InputError]. On any error the stored checkpoint is the
// last good one.
func (it *Iterator[S]) Run(ctx context.Context, key string) (Output, error) {
	if key == "" {
		return Output{}, &InputError{Reason: "empty checkpoint key"}
	}
	ctx = context.WithValue(ctx, keyCtxKey{}, key)
	start := it.o.now()
	end, hasDeadline := handler.Deadline(ctx)
	if !hasDeadline {
		end = start.Add(it.o.budget)
	}
	owner := newOwner(ctx)

	cp, err := it.store.Claim(ctx, key, Lease{Owner: owner, Now: start, Until: end.Add(it.o.leaseSlack)})
	if err != nil {
		return Output{}, it.storeFailure(ctx, "claim", key, err)
	}
	var state S
	if cp.State != nil {
		if err := json.Unmarshal(cp.State, &state); err != nil {
			if !cp.Completed {
				it.release(ctx, key, owner)
			}
			return Output{}, &CheckpointDecodeError{Key: key, Type: it.typeName, Err: err}
		}
	}
	if cp.Completed {
		handler.Annotate(ctx, "iterator.completed", true)
		return it.output(cp, state, 0, false)
	}

	steps, done, err := it.loop(ctx, &state, &cp, end, hasDeadline)
	if err != nil {
		it.release(ctx, key, owner)
		it.o.logger.ErrorContext(ctx, "iterator: step failed", slog.String("key", key), slog.Int64("steps", steps), slog.Any("error", err))
		return Output{}, err
	}

	cp.Iterations += steps
	cp.Completed = done
	continueAsNew := !done && it.o.continueAfter > 0 && cp.ExecutionInvocations >= it.o.continueAfter
	if continueAsNew {
		cp.ExecutionInvocations = 0
	}
	if cp.State, err = json.Marshal(state); err != nil {
		it.release(ctx, key, owner)
		return Output{}, &StepError{Key: key, Iteration: cp.Iterations, Err: fmt.Errorf("state does not encode as JSON: %w", err)}
	}
	// The save must happen even when ctx is already cancelled or past its
	// deadline: a deadline middleware (handler.DeadlineMargin) sets ctx's
	// deadline before Lambda's, the invocation is still running, and losing
	// the save would lose all its work. Lambda itself ends the invocation at
	// its real deadline; the timeout only bounds a hung call.
	saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), it.storeTimeout())
	defer cancel()
	if err := it.store.Save(saveCtx, cp, owner); err != nil {
		// After a conflict the lease is someone else's; otherwise it is
		// still ours and is given back so that a Retry can start at once.
		if !errors.Is(err, ErrConflict) {
			it.release(ctx, key, owner)
		}
		var tooLarge *TooLargeError
		if errors.As(err, &tooLarge) {
			return Output{}, err
		}
		return Output{}, it.storeFailure(ctx, "save", key, err)
	}
	cp.Version++
	handler.Annotate(ctx, "iterator.checkpoint_saved", true)
	handler.Annotate(ctx, "iterator.completed", done)
	handler.Annotate(ctx, "iterator.steps", steps)
	it.o.logger.InfoContext(ctx, "iterator: checkpoint saved",
		slog.String("key", key),
		slog.Int64("steps", steps),
		slog.Int64("iterations", cp.Iterations),
		slog.Bool("completed", done),
		slog.Bool("continueAsNew", continueAsNew),
		slog.Duration("elapsed", it.o.now().Sub(start)))
	return it.output(cp, state, steps, continueAsNew)
}

// loop runs steps until the job is done or the next step is not predicted to
// fit before end minus the margin. The first step runs whenever any time is
// left beyond the margin, whatever the prediction, so that a job whose steps
// were once slow still makes progress. It records the learned step duration
// in cp.
func (it *Iterator[S]) loop(ctx context.Context, state *S, cp *Checkpoint, end time.Time, hasDeadline bool) (steps int64, done bool, err error) {
	// A step that honours its context is stopped before the margin, which
	// stays for the save. Without a real deadline the budget is turned into
	// one, measured from now on the real clock.
	stepEnd := end.Add(-it.o.margin)
	if !hasDeadline {
		stepEnd = time.Now().Add(stepEnd.Sub(it.o.now()))
	}
	stepCtx, cancel := context.WithDeadline(ctx, stepEnd)
	defer cancel()
	var est estimator
	est.seed(cp.StepEstimate)
	for {
		left := end.Sub(it.o.now()) - it.o.margin
		if left <= 0 || (steps > 0 && left < est.predict()) || stepCtx.Err() != nil ||
			(it.o.maxSteps > 0 && steps >= it.o.maxSteps) {
			return steps, false, nil
		}
		t0 := it.o.now()
		done, err := it.callStep(stepCtx, state)
		est.observe(it.o.now().Sub(t0))
		if err != nil {
			return steps, false, &StepError{Key: cp.Key, Iteration: cp.Iterations + steps, Err: err}
		}
		steps++
		cp.StepEstimate = est.longest()
		if done {
			return steps, true, nil
		}
	}
}

// callStep runs the step and turns a panic into a *handler.PanicError, so
// that a panicking step fails the invocation like an error and cannot leave a
// lease behind.
func (it *Iterator[S]) callStep(ctx context.Context, state *S) (done bool, err error) {
	defer func() {
		if v := recover(); v != nil {
			done, err = false, &handler.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return it.step(ctx, state)
}

func (it *Iterator[S]) output(cp Checkpoint, state S, steps int64, continueAsNew bool) (Output, error) {
	out := Output{
		Key:                  cp.Key,
		IsCompleted:          cp.Completed,
		ContinueAsNew:        continueAsNew,
		Iterations:           cp.Iterations,
		InvocationIterations: steps,
		Invocations:          cp.Invocations,
	}
	if it.result != nil {
		b, err := json.Marshal(it.result(state))
		if err != nil {
			// The checkpoint is saved; only the report of it failed.
			return Output{}, fmt.Errorf("iterator: result of %q does not encode as JSON: %w", cp.Key, err)
		}
		out.Result = b
	}
	return out, nil
}

// storeFailure logs and types an error from the store: conflicts and typed
// errors pass through, anything else becomes a *StoreError.
func (it *Iterator[S]) storeFailure(ctx context.Context, op, key string, err error) error {
	var conflict *ConflictError
	if errors.As(err, &conflict) {
		handler.Annotate(ctx, "iterator.conflict", true)
		it.o.logger.WarnContext(ctx, "iterator: checkpoint conflict", slog.String("key", key), slog.String("op", op), slog.Any("error", err))
		return err
	}
	var se *StoreError
	if !errors.As(err, &se) {
		err = &StoreError{Op: op, Key: key, Err: err}
	}
	it.o.logger.ErrorContext(ctx, "iterator: checkpoint store failed", slog.String("key", key), slog.String("op", op), slog.Any("error", err))
	return err
}

// storeTimeout bounds a save or release that runs after the invocation's
// context is done: the margin, and at least a second.
func (it *Iterator[S]) storeTimeout() time.Duration { return max(it.o.margin, time.Second) }

// release drops the lease after a failure so that a retry need not wait for
// it to expire. It is best effort: if it fails, the lease still expires.
func (it *Iterator[S]) release(ctx context.Context, key, owner string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), it.storeTimeout())
	defer cancel()
	if err := it.store.Release(ctx, key, owner); err != nil {
		it.o.logger.WarnContext(ctx, "iterator: lease not released", slog.String("key", key), slog.Any("error", err))
	}
}

// newOwner returns an id unique to this invocation, prefixed with the Lambda
// request id when there is one, so that a lease in the table can be traced
// to its invocation's logs.
func newOwner(ctx context.Context) string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	id := hex.EncodeToString(b[:])
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		return lc.AwsRequestID + "/" + id
	}
	return id
}
