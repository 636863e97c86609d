package states

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/lambdakit/lambdakit/localstack/asl"
)

// mapState runs the item processor once per item of the input array,
// at most MaxConcurrency at a time (0: no limit), and returns the outputs in
// item order. An iteration that fails fails the state, unless a DISTRIBUTED
// Map tolerates it (ToleratedFailureCount/Percentage); then its output is
// null and the state fails with States.ExceedToleratedFailureThreshold only
// once the failures exceed the threshold.
func (th *thread) mapState(ctx context.Context, w *worker, st *asl.State, run *stateRun, input any, sc *scope, ctxObj map[string]any) (any, *Failure) {
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
	maxConcurrency := st.MaxConcurrency
	if st.MaxConcurrencyPath != "" {
		n, f := pathNumber(run, st.MaxConcurrencyPath, input, "MaxConcurrencyPath", "integer")
		if f != nil {
			return nil, f
		}
		maxConcurrency = int(n)
	}
	tolerated := -1 // failures tolerated; -1 for none (every failure fails the state)
	if st.ProcessorMode == "DISTRIBUTED" {
		count, percent := st.ToleratedFailureCount, st.ToleratedFailurePercentage
		if st.ToleratedFailureCountPath != "" {
			n, f := pathNumber(run, st.ToleratedFailureCountPath, input, "ToleratedFailureCountPath", "integer")
			if f != nil {
				return nil, f
			}
			c := int(n)
			count = &c
		}
		if st.ToleratedFailurePercentagePath != "" {
			n, f := pathNumber(run, st.ToleratedFailurePercentagePath, input, "ToleratedFailurePercentagePath", "float")
			if f != nil {
				return nil, f
			}
			percent = &n
		}
		// LocalStack's AWS-recorded test_map_state_tolerated_failure_* causes.
		if count != nil && *count < 0 {
			return nil, runtimeFailure(errRuntime, run, "ToleratedFailureCount cannot be negative.")
		}
		if percent != nil && (*percent < 0 || *percent > 100) {
			return nil, runtimeFailure(errRuntime, run, "ToleratedFailurePercentage must be between 0 and 100.")
		}
		if count != nil {
			tolerated = *count
		}
		if percent != nil {
			byPercent := int(math.Floor(*percent / 100 * float64(len(items))))
			if tolerated < 0 || byPercent > tolerated {
				tolerated = byPercent
			}
		}
	}

	th.add(types.HistoryEventTypeMapStateStarted, func(ev *types.HistoryEvent) {
		ev.MapStateStartedEventDetails = &types.MapStateStartedEventDetails{Length: int32(len(items))}
	})
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	slots := len(items)
	if maxConcurrency > 0 {
		slots = min(slots, maxConcurrency)
	}
	sem := make(chan struct{}, max(slots, 1))
	outs := make([]any, len(items))
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
				out, f := iteration(ctx, iw, ith, st, run, input, i, item, sc, ctxObj)
				mu.Lock()
				defer mu.Unlock()
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
		th.add(types.HistoryEventTypeMapStateFailed, nil)
		return nil, first
	}
	th.add(types.HistoryEventTypeMapStateSucceeded, nil)
	return outs, nil
}

// iteration runs the item processor on one item; ItemSelector sees the
// Map's effective input as $ and the item as $$.Map.Item.
func iteration(ctx context.Context, w *worker, ith *thread, st *asl.State, run *stateRun, mapInput any, i int, item any, sc *scope, ctxObj map[string]any) (any, *Failure) {
	mapItem := map[string]any{"Index": json.Number(strconv.Itoa(i)), "Value": item}
	input := item
	if st.HasItemSelector {
		c := make(map[string]any, len(ctxObj)+1)
		for k, v := range ctxObj {
			c[k] = v
		}
		c["Map"] = map[string]any{"Item": mapItem}
		var f *Failure
		if st.QueryLanguage == asl.JSONata {
			input, f = newJSONataEnv(run, mapInput, c).eval(ctx, "ItemSelector", st.ItemSelector)
		} else {
			input, f = evalTemplate(run, st.ItemSelector, mapInput, c)
		}
		if f != nil {
			return nil, f
		}
	}
	details := &types.MapIterationEventDetails{Name: aws.String(st.Name), Index: int32(i)}
	ith.add(types.HistoryEventTypeMapIterationStarted, func(ev *types.HistoryEvent) { ev.MapIterationStartedEventDetails = details })
	out, f := ith.runScope(ctx, w, st.ItemProcessor, input, &scope{vars: copyVars(sc.vars), mapItem: mapItem})
	if f != nil {
		if f.aborted {
			ith.add(types.HistoryEventTypeMapIterationAborted, func(ev *types.HistoryEvent) { ev.MapIterationAbortedEventDetails = details })
			return nil, f
		}
		ith.add(types.HistoryEventTypeMapIterationFailed, func(ev *types.HistoryEvent) { ev.MapIterationFailedEventDetails = details })
		return nil, f
	}
	ith.add(types.HistoryEventTypeMapIterationSucceeded, func(ev *types.HistoryEvent) { ev.MapIterationSucceededEventDetails = details })
	return out, nil
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
