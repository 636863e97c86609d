package states

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/lambdakit/lambdakit/localstack/asl"
)

// itemsOf resolves a JSONPath Map state's ItemsPath on its effective input:
// the array to map over.
func itemsOf(st *asl.State, run *stateRun, input any) ([]any, *Failure) {
	itemsDoc := input
	if st.ItemsPath != "" {
		v, err := run.get(st.ItemsPath, input)
		if err != nil {
			return nil, runtimeFailure(errRuntime, run, "Invalid path '%s' : No results for path: %s", st.ItemsPath, bracketed(st.ItemsPath))
		}
		itemsDoc = v
	}
	items, ok := itemsDoc.([]any)
	if !ok {
		return nil, runtimeFailure(errRuntime, run, "Map state input must be an array but was: %s", marshal(itemsDoc))
	}
	return items, nil
}

// mapState runs the item processor once per item, at most MaxConcurrency
// at a time (0: no limit), and returns the outputs in item order. input is
// the state's effective input (JSONata: its input); items are the items, or
// nil when an ItemReader reads them. An iteration that fails fails the
// state, unless a DISTRIBUTED Map tolerates it (ToleratedFailureCount or
// Percentage); then its output is null and the state fails with
// States.ExceedToleratedFailureThreshold only once the failures exceed the
// threshold. A DISTRIBUTED Map runs as a Map Run (MapRun* events; its child
// executions' events are not in the parent's history, as on AWS), may batch
// its items and write its results to S3.
func (th *thread) mapState(ctx context.Context, w *worker, st *asl.State, run *stateRun, input any, items []any, sc *scope, ctxObj map[string]any) (any, *Failure) {
	maxConcurrency := st.MaxConcurrency
	if st.MaxConcurrencyPath != "" {
		n, f := pathNumber(run, st.MaxConcurrencyPath, input, "MaxConcurrencyPath", "integer")
		if f != nil {
			return nil, f
		}
		maxConcurrency = int(n)
	}
	th.add(types.HistoryEventTypeMapStateStarted, func(ev *types.HistoryEvent) {
		ev.MapStateStartedEventDetails = &types.MapStateStartedEventDetails{Length: int32(len(items))}
	})
	distributed := st.ProcessorMode == "DISTRIBUTED"
	var reader *readerSpec
	if distributed {
		count, percent, f := toleratedFailures(st, run, input)
		if f != nil {
			return nil, f
		}
		if st.ItemReader != nil {
			if reader, f = th.evalReader(ctx, st, run, input, ctxObj); f != nil {
				return nil, f
			}
		}
		mapRunARN := th.newMapRunARN(st)
		th.add(types.HistoryEventTypeMapRunStarted, func(ev *types.HistoryEvent) {
			ev.MapRunStartedEventDetails = &types.MapRunStartedEventDetails{MapRunArn: aws.String(mapRunARN)}
		})
		out, f := th.mapRun(ctx, w, st, run, input, items, reader, count, percent, maxConcurrency, sc, ctxObj, mapRunARN)
		if f != nil {
			if !f.aborted {
				th.add(types.HistoryEventTypeMapRunFailed, func(ev *types.HistoryEvent) {
					ev.MapRunFailedEventDetails = &types.MapRunFailedEventDetails{Error: optional(f.Error), Cause: optional(f.Cause)}
				})
			}
			th.add(types.HistoryEventTypeMapStateFailed, nil)
			return nil, f
		}
		th.add(types.HistoryEventTypeMapRunSucceeded, nil)
		if st.ResultWriter != nil {
			if out, f = th.writeResults(ctx, st, run, input, ctxObj, mapRunARN, out.([]childResult)); f != nil {
				th.add(types.HistoryEventTypeMapStateFailed, nil)
				return nil, f
			}
		}
		th.add(types.HistoryEventTypeMapStateSucceeded, nil)
		return out, nil
	}
	outs, _, f := th.iterate(ctx, w, st, run, input, items, -1, maxConcurrency, sc, ctxObj)
	if f != nil {
		th.add(types.HistoryEventTypeMapStateFailed, nil)
		return nil, f
	}
	th.add(types.HistoryEventTypeMapStateSucceeded, nil)
	return outs, nil
}

// toleratedFailures evaluates a DISTRIBUTED Map's tolerated failure count
// and percentage (nil when not set).
func toleratedFailures(st *asl.State, run *stateRun, input any) (count *int, percent *float64, f *Failure) {
	count, percent = st.ToleratedFailureCount, st.ToleratedFailurePercentage
	if st.ToleratedFailureCountPath != "" {
		n, f := pathNumber(run, st.ToleratedFailureCountPath, input, "ToleratedFailureCountPath", "integer")
		if f != nil {
			return nil, nil, f
		}
		c := int(n)
		count = &c
	}
	if st.ToleratedFailurePercentagePath != "" {
		n, f := pathNumber(run, st.ToleratedFailurePercentagePath, input, "ToleratedFailurePercentagePath", "float")
		if f != nil {
			return nil, nil, f
		}
		percent = &n
	}
	// LocalStack's AWS-recorded test_map_state_tolerated_failure_* causes.
	if count != nil && *count < 0 {
		return nil, nil, runtimeFailure(errRuntime, run, "ToleratedFailureCount cannot be negative.")
	}
	if percent != nil && (*percent < 0 || *percent > 100) {
		return nil, nil, runtimeFailure(errRuntime, run, "ToleratedFailurePercentage must be between 0 and 100.")
	}
	return count, percent, nil
}

// mapRun runs a DISTRIBUTED Map's items: read, batched, each a child
// execution. With a ResultWriter it returns the children ([]childResult);
// otherwise the outputs in item order.
func (th *thread) mapRun(ctx context.Context, w *worker, st *asl.State, run *stateRun, input any, items []any, reader *readerSpec,
	count *int, percent *float64, maxConcurrency int, sc *scope, ctxObj map[string]any, mapRunARN string) (any, *Failure) {
	if reader != nil {
		var f *Failure
		if items, f = th.readItems(ctx, run, reader); f != nil {
			return nil, f
		}
	}
	if st.ItemBatcher != nil {
		var f *Failure
		if items, f = th.batchItems(ctx, st, run, input, ctxObj, items); f != nil {
			return nil, f
		}
	}
	tolerated := -1 // failures tolerated; -1 for none (every failure fails the state)
	if count != nil {
		tolerated = *count
	}
	if percent != nil {
		tolerated = max(tolerated, int(math.Floor(*percent/100*float64(len(items)))))
	}
	child := &thread{x: th.x, discard: true}
	outs, children, f := child.iterate(ctx, w, st, run, input, items, tolerated, maxConcurrency, sc, ctxObj)
	if f != nil {
		return nil, f
	}
	if st.ResultWriter != nil {
		return children, nil
	}
	return outs, nil
}

// iterate runs the iterations; it returns their outputs in item order and,
// for a Map Run, each child's record.
func (th *thread) iterate(ctx context.Context, w *worker, st *asl.State, run *stateRun, input any, items []any,
	tolerated, maxConcurrency int, sc *scope, ctxObj map[string]any) ([]any, []childResult, *Failure) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	slots := len(items)
	if maxConcurrency > 0 {
		slots = min(slots, maxConcurrency)
	}
	sem := make(chan struct{}, max(slots, 1))
	outs := make([]any, len(items))
	var children []childResult
	if th.discard {
		children = make([]childResult, len(items))
	}
	var (
		mu       sync.Mutex
		failures int
		first    *Failure
		wg       sync.WaitGroup
	)
	w.idle(func() {
		for i, item := range items {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				break
			}
			iw := w.spawn()
			ith := th.fork()
			wg.Go(func() {
				defer func() { <-sem; iw.done() }()
				began := iw.clock.Now()
				out, in, f := iteration(ctx, iw, ith, st, run, input, i, item, sc, ctxObj)
				mu.Lock()
				defer mu.Unlock()
				if children != nil {
					c := childResult{name: uuid.NewString(), input: marshal(in), start: began, stop: iw.clock.Now(), status: "SUCCEEDED", output: marshal(out)}
					if f != nil {
						c.status, c.output, c.error, c.cause = "FAILED", "", f.Error, f.Cause
						if f.aborted {
							c.status = "ABORTED"
						}
					}
					children[i] = c
				}
				if f == nil {
					outs[i] = out
					return
				}
				failures++
				if first == nil && ctx.Err() == nil && failures > tolerated {
					first = f
					if tolerated >= 0 {
						first = &Failure{Error: errExceedToleratedFailure, Cause: "The specified tolerated failure threshold was exceeded"}
					}
					cancel(errSiblingFailed)
				}
			})
		}
		wg.Wait()
	})
	if first != nil {
		return nil, nil, first
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, &Failure{Error: "States.Aborted", aborted: true}
	}
	return outs, children, nil
}

// iteration runs the item processor on one item; ItemSelector sees the
// Map's effective input as $ and the item as $$.Map.Item.
func iteration(ctx context.Context, w *worker, ith *thread, st *asl.State, run *stateRun, mapInput any, i int, item any, sc *scope, ctxObj map[string]any) (out, input any, f *Failure) {
	mapItem := map[string]any{"Index": json.Number(strconv.Itoa(i)), "Value": item}
	input = item
	if st.HasItemSelector {
		c := make(map[string]any, len(ctxObj)+1)
		for k, v := range ctxObj {
			c[k] = v
		}
		c["Map"] = map[string]any{"Item": mapItem}
		if st.QueryLanguage == asl.JSONata {
			input, f = newJSONataEnv(run, mapInput, c).eval(ctx, "ItemSelector", st.ItemSelector)
		} else {
			input, f = evalTemplate(run, st.ItemSelector, mapInput, c)
		}
		if f != nil {
			return nil, item, f
		}
	}
	details := &types.MapIterationEventDetails{Name: aws.String(st.Name), Index: int32(i)}
	ith.add(types.HistoryEventTypeMapIterationStarted, func(ev *types.HistoryEvent) { ev.MapIterationStartedEventDetails = details })
	out, f = ith.runScope(ctx, w, st.ItemProcessor, input, &scope{vars: copyVars(sc.vars), mapItem: mapItem})
	switch {
	case f != nil && f.aborted:
		ith.add(types.HistoryEventTypeMapIterationAborted, func(ev *types.HistoryEvent) { ev.MapIterationAbortedEventDetails = details })
	case f != nil:
		ith.add(types.HistoryEventTypeMapIterationFailed, func(ev *types.HistoryEvent) { ev.MapIterationFailedEventDetails = details })
	default:
		ith.add(types.HistoryEventTypeMapIterationSucceeded, func(ev *types.HistoryEvent) { ev.MapIterationSucceededEventDetails = details })
	}
	return out, input, f
}

// pathNumber reads a number a *Path field refers to; a number in a string
// ("1") counts, as on AWS. kind is "integer" or "float", as AWS's cause says:
// The MaxConcurrencyPath field refers to value "NoNumber" which is not a
// valid integer: $.MaxConcurrencyValue.
func pathNumber(run *stateRun, path string, input any, field, kind string) (float64, *Failure) {
	v, err := run.get(path, input)
	if err != nil {
		return 0, runtimeFailure(errRuntime, run, "Invalid path '%s' : No results for path: %s", path, bracketed(path))
	}
	n, ok := number(v)
	if s, isStr := v.(string); isStr {
		f, perr := strconv.ParseFloat(strings.TrimSpace(s), 64)
		n, ok = f, perr == nil
	}
	if !ok || kind == "integer" && n != math.Trunc(n) {
		text, isStr := v.(string)
		if !isStr {
			text = marshal(v)
		}
		return 0, runtimeFailure(errRuntime, run, "The %s field refers to value \"%s\" which is not a valid %s: %s", field, text, kind, path)
	}
	return n, nil
}
