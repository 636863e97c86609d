package states

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/lambdakit/lambdakit/localstack/asl"
	"github.com/lambdakit/lambdakit/localstack/internal/clock"
)

// worker is one goroutine of an execution with its mark on the clock:
// virtual time does not move while a worker computes.
type worker struct {
	clock clock.Clock // timeouts, heartbeats, timestamps
	waits clock.Clock // Wait states and Retry intervals; the same clock unless scaled
	done  func()
}

// idle gives the worker's mark up while fn waits for something outside the
// engine (a task token, the branches it started).
func (w *worker) idle(fn func()) {
	w.done()
	defer func() { w.done = w.clock.Busy() }()
	fn()
}

// spawn returns a worker for a new goroutine, marked busy from now on.
func (w *worker) spawn() *worker {
	return &worker{clock: w.clock, waits: w.waits, done: w.clock.Busy()}
}

// scope is what a state sees besides its input: the variables in reach and,
// inside a Map iteration, the item.
type scope struct {
	vars    map[string]any
	mapItem map[string]any // {"Index": n, "Value": v}
}

// stateRun is one entry into a state.
type stateRun struct {
	name        string
	enteredID   int64
	enteredTime time.Time
	retryCount  int
	token       string
	input       any             // the state's raw input
	vars        map[string]any  // the variables as the state was entered
	result      any             // what $ means in Assign: the state's result, or its effective input
	rule        *asl.ChoiceRule // a Choice state's matched rule, if any
	jsonata     *jsonataEnv     // a JSONata state\'s $states
	ctxObj      map[string]any  // $$ for the current attempt
}

// runScope runs a definition from StartAt until a state ends it.
func (th *thread) runScope(ctx context.Context, w *worker, def *asl.Definition, input any, sc *scope) (any, *Failure) {
	name := def.StartAt
	for {
		if ctx.Err() != nil {
			return nil, &Failure{Error: "States.Aborted", aborted: true}
		}
		st := def.States[name]
		out, next, f := th.runState(ctx, w, st, input, sc)
		if f != nil {
			return nil, f
		}
		if next == "" {
			return out, nil
		}
		name, input = next, out
	}
}

// runState enters one state, runs it with its retriers and catchers, and
// returns its output and the next state's name ("" when it ends the scope).
func (th *thread) runState(ctx context.Context, w *worker, st *asl.State, input any, sc *scope) (any, string, *Failure) {
	run := &stateRun{name: st.Name, enteredTime: th.x.e.clock.Now(), input: input, vars: sc.vars}
	run.enteredID = th.add(types.HistoryEventType(st.Type+"StateEntered"), func(ev *types.HistoryEvent) {
		ev.StateEnteredEventDetails = &types.StateEnteredEventDetails{Name: aws.String(st.Name), Input: aws.String(marshal(input)), InputDetails: &types.HistoryEventExecutionDataDetails{}}
	})
	counts := make([]int, len(st.Retry))
	for {
		out, next, f := th.execute(ctx, w, st, run, input, sc)
		if ctx.Err() != nil {
			return nil, "", th.aborted(ctx, st)
		}
		if f == nil {
			assign := st.Assign
			if run.rule != nil {
				assign = run.rule.Assign // the matched Choice rule's, or the state's for Default
			}
			var assigned map[string]any
			if run.jsonata != nil {
				assigned, f = run.jsonata.assign(ctx, assign)
			} else {
				assigned, f = evalAssign(run, assign, run.result, run.ctxObj)
			}
			if f != nil {
				return nil, "", f
			}
			return th.exit(st, out, next, sc, assigned)
		}
		if i := retrier(st.Retry, f); i >= 0 && counts[i] < st.Retry[i].MaxAttempts {
			r := st.Retry[i]
			delay := float64(r.IntervalSeconds) * math.Pow(r.BackoffRate, float64(counts[i]))
			if r.MaxDelaySeconds > 0 {
				delay = min(delay, float64(r.MaxDelaySeconds))
			}
			if r.JitterStrategy == "FULL" {
				delay = rand.Float64() * delay
			}
			counts[i]++
			run.retryCount++
			if err := w.waits.Sleep(ctx, time.Duration(delay*float64(time.Second))); err != nil {
				return nil, "", th.aborted(ctx, st)
			}
			continue
		}
		for _, c := range st.Catch {
			if !matches(c.ErrorEquals, f) {
				continue
			}
			errOut := map[string]any{"Error": f.Error, "Cause": f.Cause}
			out := any(errOut)
			var assigned map[string]any
			var af *Failure
			if st.QueryLanguage == asl.JSONPath {
				if out, af = applyResultPath(run, c.ResultPath, input, errOut); af != nil {
					return nil, "", af
				}
				assigned, af = evalAssign(run, c.Assign, errOut, run.ctxObj)
			} else {
				env := newJSONataEnv(run, input, run.ctxObj)
				env.states["errorOutput"] = errOut
				if c.HasOutput {
					if out, af = env.eval(ctx, "Output", c.Output); af != nil {
						return nil, "", af
					}
				}
				assigned, af = env.assign(ctx, c.Assign)
			}
			if af != nil {
				return nil, "", af
			}
			return th.exit(st, out, c.Next, sc, assigned)
		}
		return nil, "", f
	}
}

// errSiblingFailed cancels the other branches of a Parallel or iterations of
// a Map when one fails; their running states then record
// <Type>StateAborted, as AWS's history shows.
var errSiblingFailed = errors.New("states: a sibling branch or iteration failed")

// aborted is the failure of a state whose context ended: the execution was
// stopped or timed out, or a sibling failed (then the abort is recorded).
func (th *thread) aborted(ctx context.Context, st *asl.State) *Failure {
	if errors.Is(context.Cause(ctx), errSiblingFailed) {
		th.add(types.HistoryEventType(st.Type+"StateAborted"), nil)
	}
	return &Failure{Error: "States.Aborted", aborted: true}
}

// exit records the state's exit, with the variables it assigned, makes
// them visible to the states that follow in its scope and returns where to
// go next.
func (th *thread) exit(st *asl.State, out any, next string, sc *scope, assigned map[string]any) (any, string, *Failure) {
	th.add(types.HistoryEventType(st.Type+"StateExited"), func(ev *types.HistoryEvent) {
		d := &types.StateExitedEventDetails{Name: aws.String(st.Name), Output: aws.String(marshal(out)), OutputDetails: &types.HistoryEventExecutionDataDetails{}}
		if assigned != nil {
			d.AssignedVariables = make(map[string]string, len(assigned))
			for k, v := range assigned {
				d.AssignedVariables[k] = marshal(v)
			}
			d.AssignedVariablesDetails = &types.AssignedVariablesDetails{}
		}
		ev.StateExitedEventDetails = d
	})
	if len(assigned) > 0 {
		vars := copyVars(sc.vars) // states already running keep the values they entered with
		for k, v := range assigned {
			vars[k] = v
		}
		sc.vars = vars
	}
	return out, next, nil
}

// evalAssign evaluates an Assign field: literal values as they are, and a
// field whose name ends in ".$" as its path or intrinsic function call, with
// $ the state's result, $$ the context object and $name the variables as
// they were when the state was entered.
func evalAssign(run *stateRun, assign any, doc any, ctxObj map[string]any) (map[string]any, *Failure) {
	if assign == nil {
		return nil, nil
	}
	v, f := evalTemplate(run, assign, doc, ctxObj)
	if f != nil {
		return nil, f
	}
	m, _ := v.(map[string]any)
	return m, nil
}

// retrier returns the index of the first retrier that matches f, or -1.
func retrier(rs []*asl.Retrier, f *Failure) int {
	for i, r := range rs {
		if matches(r.ErrorEquals, f) {
			return i
		}
	}
	return -1
}

// execute runs one attempt of a state.
func (th *thread) execute(ctx context.Context, w *worker, st *asl.State, run *stateRun, raw any, sc *scope) (any, string, *Failure) {
	if st.Type == "Task" && strings.HasSuffix(st.Resource, ".waitForTaskToken") {
		run.token = newToken() // before the context object, which gives it as $$.Task.Token
	}
	run.ctxObj = th.contextObject(run, sc) // per attempt: $$.State.RetryCount and $$.Task.Token change
	if st.QueryLanguage == asl.JSONata {
		return th.executeJSONata(ctx, w, st, run, raw, sc)
	}
	c := run.ctxObj
	switch st.Type {
	case "Pass":
		out, f := process(st, run, raw, c, func(effective any) (any, *Failure) {
			if st.HasResult {
				return st.Result, nil
			}
			return effective, nil
		})
		return out, st.Next, f
	case "Succeed":
		out, f := inputOutput(st, run, raw)
		return out, "", f
	case "Fail":
		return nil, "", th.failState(st, run, raw, c)
	case "Wait":
		effective, f := applyInputPath(run, st.InputPath, raw)
		if f != nil {
			return nil, "", f
		}
		out, f := applyOutputPath(run, st.OutputPath, effective)
		if f != nil {
			return nil, "", f
		}
		d, f := waitDuration(st, run, effective, th.x.e.clock.Now())
		if f != nil {
			return nil, "", f
		}
		run.result = effective
		if err := w.waits.Sleep(ctx, d); err != nil {
			return nil, "", &Failure{Error: "States.Aborted", aborted: true}
		}
		return out, st.Next, nil
	case "Choice":
		effective, f := applyInputPath(run, st.InputPath, raw)
		if f != nil {
			return nil, "", f
		}
		next, f := choose(st, run, effective)
		if f != nil {
			return nil, "", f
		}
		run.result = effective
		out, f := applyOutputPath(run, st.OutputPath, effective)
		return out, next, f
	case "Task":
		out, f := process(st, run, raw, c, func(params any) (any, *Failure) {
			return th.task(ctx, w, st, run, params)
		})
		return out, st.Next, f
	case "Parallel":
		out, f := process(st, run, raw, c, func(effective any) (any, *Failure) {
			return th.parallel(ctx, w, st, effective, sc)
		})
		return out, st.Next, f
	case "Map":
		out, f := process(st, run, raw, c, func(effective any) (any, *Failure) {
			var items []any
			if st.ItemReader == nil {
				var f *Failure
				if items, f = itemsOf(st, run, effective); f != nil {
					return nil, f
				}
			}
			return th.mapState(ctx, w, st, run, effective, items, sc, c)
		})
		return out, st.Next, f
	}
	return nil, "", fail(errRuntime, "unknown state type %s", st.Type)
}

// contextObject is $$ for one entry into a state.
func (th *thread) contextObject(run *stateRun, sc *scope) map[string]any {
	x := th.x
	c := map[string]any{
		"Execution": map[string]any{
			"Id": x.arn, "Input": x.inputDoc, "Name": x.name, "RoleArn": x.sm.roleARN,
			"StartTime": timestamp(x.start), "RedriveCount": json.Number("0"),
		},
		// AWS records no RetryCount in $$.State on a first attempt
		// (LocalStack's AWS-recorded test_query_context_object_values).
		"State":        map[string]any{"EnteredTime": timestamp(run.enteredTime), "Name": run.name},
		"StateMachine": map[string]any{"Id": x.sm.arn, "Name": x.sm.name},
	}
	if run.retryCount > 0 {
		c["State"].(map[string]any)["RetryCount"] = json.Number(strconv.Itoa(run.retryCount))
	}
	if run.token != "" {
		c["Task"] = map[string]any{"Token": run.token}
	}
	if sc.mapItem != nil {
		c["Map"] = map[string]any{"Item": sc.mapItem}
	}
	return c
}

// timestamp formats a time as the context object does: ISO 8601 with
// milliseconds in UTC.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// parallel runs every branch on the same input, concurrently, and returns
// their outputs in branch order. The first branch to fail fails the state
// (the others are stopped).
func (th *thread) parallel(ctx context.Context, w *worker, st *asl.State, input any, sc *scope) (any, *Failure) {
	th.add(types.HistoryEventTypeParallelStateStarted, nil)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	outs := make([]any, len(st.Branches))
	var (
		mu    sync.Mutex
		first *Failure
		wg    sync.WaitGroup
	)
	for i, b := range st.Branches {
		bw := w.spawn()
		bth := th.fork()
		bsc := &scope{vars: copyVars(sc.vars)}
		wg.Go(func() {
			defer func() { bw.done() }()
			out, f := bth.runScope(ctx, bw, b, input, bsc)
			mu.Lock()
			defer mu.Unlock()
			if f != nil && first == nil && ctx.Err() == nil {
				first = f
				cancel(errSiblingFailed)
			}
			outs[i] = out
		})
	}
	w.idle(wg.Wait)
	if first != nil {
		th.add(types.HistoryEventTypeParallelStateFailed, nil)
		return nil, first
	}
	th.add(types.HistoryEventTypeParallelStateSucceeded, nil)
	return outs, nil
}

func copyVars(vars map[string]any) map[string]any {
	out := make(map[string]any, len(vars))
	for k, v := range vars {
		out[k] = v
	}
	return out
}
