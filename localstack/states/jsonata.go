package states

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/lambdakit/lambdakit/localstack/asl"
	"github.com/lambdakit/lambdakit/localstack/internal/jsonata"
)

// jsonataEnv is what JSONata expressions of one state see: $states and the
// workflow's variables.
type jsonataEnv struct {
	run    *stateRun
	states map[string]any // input, context, and later result or errorOutput
}

func newJSONataEnv(run *stateRun, input any, ctxObj map[string]any) *jsonataEnv {
	return &jsonataEnv{run: run, states: map[string]any{"input": input, "context": ctxObj}}
}

func (env *jsonataEnv) vars() map[string]any {
	vars := make(map[string]any, len(env.run.vars)+1)
	for k, v := range env.run.vars {
		vars[k] = v
	}
	vars["states"] = env.states
	return vars
}

// eval evaluates one field's value: a string "{% expr %}" is a JSONata
// expression; objects and arrays are evaluated member by member; anything
// else is a literal. field names the field in AWS's error causes
// ("Output/result").
func (env *jsonataEnv) eval(ctx context.Context, field string, v any) (any, *Failure) {
	switch t := v.(type) {
	case string:
		expr, ok := expression(t)
		if !ok {
			return t, nil
		}
		e, err := jsonata.Compile(expr)
		if err != nil {
			return nil, runtimeFailure(errQueryEvaluation, env.run, "The JSONata expression '%s' specified for the field '%s' could not be parsed: %v", expr, field, err)
		}
		out, defined, err := e.Eval(ctx, env.states["input"], env.vars())
		if err != nil {
			var ee *jsonata.EvalError
			msg := err.Error()
			if errors.As(err, &ee) {
				msg = strings.TrimSpace(ee.Code + ": " + ee.Msg)
			}
			return nil, runtimeFailure(errQueryEvaluation, env.run, "The JSONata expression '%s' specified for the field '%s' threw an error during evaluation. %s", expr, field, msg)
		}
		if !defined {
			return nil, runtimeFailure(errQueryEvaluation, env.run, "The JSONata expression '%s' specified for the field '%s' returned nothing (undefined).", expr, field)
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			ev, f := env.eval(ctx, field+"/"+k, e)
			if f != nil {
				return nil, f
			}
			out[k] = ev
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			ev, f := env.eval(ctx, fmt.Sprintf("%s[%d]", field, i), e)
			if f != nil {
				return nil, f
			}
			out[i] = ev
		}
		return out, nil
	}
	return v, nil
}

// expression returns the JSONata expression of a "{% ... %}" string.
func expression(s string) (string, bool) {
	if !strings.HasPrefix(s, "{%") || !strings.HasSuffix(s, "%}") || len(s) < 4 {
		return "", false
	}
	return strings.TrimSpace(s[2 : len(s)-2]), true
}

// executeJSONata runs one attempt of a JSONata state: Arguments (for Task
// and Parallel; the state input by default) into the work, Output (the
// result, or the input for states without one, by default) out of it, with
// $states.input, $states.context and, after the work, $states.result.
// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
func (th *thread) executeJSONata(ctx context.Context, w *worker, st *asl.State, run *stateRun, raw any, sc *scope) (any, string, *Failure) {
	c := run.ctxObj
	env := newJSONataEnv(run, raw, c)
	run.jsonata = env
	output := func(result any) (any, *Failure) {
		if !st.HasOutput {
			return result, nil
		}
		return env.eval(ctx, "Output", st.Output)
	}
	arguments := func() (any, *Failure) {
		if !st.HasArguments {
			return raw, nil
		}
		return env.eval(ctx, "Arguments", st.Arguments)
	}
	switch st.Type {
	case "Pass", "Succeed":
		out, f := output(raw)
		next := st.Next
		if st.Type == "Succeed" {
			next = ""
		}
		return out, next, f
	case "Fail":
		f := &Failure{}
		for _, field := range []struct {
			name, value string
			dst         *string
		}{{"Error", st.Error, &f.Error}, {"Cause", st.Cause, &f.Cause}} {
			v, ff := env.eval(ctx, field.name, field.value)
			if ff != nil {
				return nil, "", ff
			}
			s, ok := v.(string)
			if !ok {
				s = marshal(v)
			}
			*field.dst = s
		}
		return nil, "", f
	case "Wait":
		d, f := th.jsonataWait(ctx, st, env)
		if f == nil && d > maxWait {
			f = runtimeFailure(errRuntime, run, "Wait state delay is too long.")
		}
		if f != nil {
			return nil, "", f
		}
		if err := w.waits.Sleep(ctx, d); err != nil {
			return nil, "", &Failure{Error: "States.Aborted", aborted: true}
		}
		out, f := output(raw)
		return out, st.Next, f
	case "Choice":
		for _, r := range st.Choices {
			v, f := env.eval(ctx, "Condition", r.Condition)
			if f != nil {
				return nil, "", f
			}
			ok, isBool := v.(bool)
			if !isBool {
				return nil, "", runtimeFailure(errQueryEvaluation, run, "The JSONata expression '%s' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was '%s' for value: %s", strings.Trim(r.Condition, "{}% "), jsonType(v), marshal(v))
			}
			if ok {
				if r.HasAssign {
					run.rule = r
				}
				if r.HasOutput {
					out, f := env.eval(ctx, "Output", r.Output)
					return out, r.Next, f
				}
				out, f := output(raw)
				return out, r.Next, f
			}
		}
		if st.Default == "" {
			return nil, "", runtimeFailure(errNoChoiceMatched, run, "No Matches!")
		}
		out, f := output(raw)
		return out, st.Default, f
	case "Task":
		if st.TimeoutExpr != "" || st.HeartbeatExpr != "" {
			return nil, "", runtimeFailure(errRuntime, run, "The test bed's Step Functions engine does not run JSONata TimeoutSeconds or HeartbeatSeconds expressions yet.")
		}
		args, f := arguments()
		if f != nil {
			return nil, "", f
		}
		result, f := th.task(ctx, w, st, run, args)
		if f != nil {
			return nil, "", f
		}
		env.states["result"] = result
		run.result = result
		out, f := output(result)
		return out, st.Next, f
	case "Parallel":
		args, f := arguments()
		if f != nil {
			return nil, "", f
		}
		result, f := th.parallel(ctx, w, st, args, sc)
		if f != nil {
			return nil, "", f
		}
		env.states["result"] = result
		out, f := output(result)
		return out, st.Next, f
	case "Map":
		var items []any
		if st.ItemReader == nil {
			v := raw
			if st.HasItems {
				ev, f := env.eval(ctx, "Items", st.Items)
				if f != nil {
					return nil, "", f
				}
				v = ev
			}
			arr, isArr := v.([]any)
			if !isArr {
				if s, isStr := st.Items.(string); isStr {
					if _, isExpr := expression(s); isExpr {
						return nil, "", runtimeFailure(errQueryEvaluation, run, "The JSONata expression '%s' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '%s' for value: %s", itemsText(st.Items), jsonType(v), marshal(v))
					}
				}
				// No Items: the state input must be the array (LocalStack's
				// AWS-recorded test_map_state_items_input_types).
				return nil, "", runtimeFailure(errQueryEvaluation, run, "Map state input must be an array but was: %s", marshal(v))
			}
			items = arr
		}
		result, f := th.mapState(ctx, w, st, run, raw, items, sc, c)
		if f != nil {
			return nil, "", f
		}
		env.states["result"] = result
		out, f := output(result)
		return out, st.Next, f
	}
	return nil, "", fail(errRuntime, "unknown state type %s", st.Type)
}

func itemsText(v any) string {
	if s, ok := v.(string); ok {
		return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, "{%"), "%}"))
	}
	return marshal(v)
}

// jsonataWait computes a JSONata Wait's duration.
func (th *thread) jsonataWait(ctx context.Context, st *asl.State, env *jsonataEnv) (time.Duration, *Failure) {
	switch {
	case st.Seconds != nil:
		return time.Duration(*st.Seconds) * time.Second, nil
	case st.Timestamp != "":
		t, _ := time.Parse(time.RFC3339Nano, st.Timestamp)
		return t.Sub(th.x.e.clock.Now()), nil
	case st.SecondsExpr != "":
		v, f := env.eval(ctx, "Seconds", st.SecondsExpr)
		if f != nil {
			return 0, f
		}
		n, ok := number(v)
		if !ok || n < 0 || n != math.Trunc(n) {
			return 0, runtimeFailure(errQueryEvaluation, env.run, "The JSONata expression '%s' specified for the field 'Seconds' returned an unexpected result type. Expected 'integer', but was '%s' for value: %s", itemsText(st.SecondsExpr), jsonType(v), marshal(v))
		}
		return time.Duration(n) * time.Second, nil
	case st.TimestampExpr != "":
		v, f := env.eval(ctx, "Timestamp", st.TimestampExpr)
		if f != nil {
			return 0, f
		}
		s, _ := v.(string)
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return 0, runtimeFailure(errQueryEvaluation, env.run, "The JSONata expression '%s' specified for the field 'Timestamp' returned an invalid timestamp: %s", itemsText(st.TimestampExpr), marshal(v))
		}
		return t.Sub(th.x.e.clock.Now()), nil
	}
	return 0, nil
}

// jsonType names a value's JSON type as AWS's causes do.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	if _, ok := number(v); ok {
		return "number"
	}
	return "unknown"
}

// assign evaluates a JSONata Assign: each member's value, expressions
// included, with $states as the state's other fields saw it.
func (env *jsonataEnv) assign(ctx context.Context, assign any) (map[string]any, *Failure) {
	if assign == nil {
		return nil, nil
	}
	v, f := env.eval(ctx, "Assign", assign)
	if f != nil {
		return nil, f
	}
	m, _ := v.(map[string]any)
	return m, nil
}
