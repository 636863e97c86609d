package states

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"

	"github.com/lambdakit/lambdakit/localstack/asl"
	"github.com/lambdakit/lambdakit/localstack/internal/intrinsic"
	"github.com/lambdakit/lambdakit/localstack/internal/jsonpath"
)

// process runs a state's JSONPath input and output processing around fn:
// InputPath, Parameters, fn, ResultSelector, ResultPath, OutputPath.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html
func process(st *asl.State, run *stateRun, raw any, ctxObj map[string]any, fn func(effective any) (any, *Failure)) (any, *Failure) {
	effective, f := applyInputPath(run, st.InputPath, raw)
	if f != nil {
		return nil, f
	}
	if st.HasParameters {
		if effective, f = evalTemplate(run, st.Parameters, effective, ctxObj); f != nil {
			return nil, f
		}
	}
	result, f := fn(effective)
	if f != nil {
		return nil, f
	}
	if st.HasResultSelector {
		if result, f = evalTemplate(run, st.ResultSelector, result, ctxObj); f != nil {
			return nil, f
		}
	}
	run.result = result
	out, f := applyResultPath(run, st.ResultPath, raw, result)
	if f != nil {
		return nil, f
	}
	return applyOutputPath(run, st.OutputPath, out)
}

// inputOutput is the processing of states without a result (Succeed, Wait):
// InputPath, then OutputPath.
func inputOutput(st *asl.State, run *stateRun, raw any) (any, *Failure) {
	effective, f := applyInputPath(run, st.InputPath, raw)
	if f != nil {
		return nil, f
	}
	return applyOutputPath(run, st.OutputPath, effective)
}

func applyInputPath(run *stateRun, p *asl.Path, doc any) (any, *Failure) {
	return selectPath(run, p, doc)
}

func applyOutputPath(run *stateRun, p *asl.Path, doc any) (any, *Failure) {
	return selectPath(run, p, doc)
}

// selectPath applies an InputPath or OutputPath: absent keeps the document,
// null gives {}, a path selects from it.
func selectPath(run *stateRun, p *asl.Path, doc any) (any, *Failure) {
	switch {
	case p == nil:
		return doc, nil
	case p.Null:
		return map[string]any{}, nil
	}
	v, err := run.get(p.Expr, doc)
	if err != nil {
		return nil, runtimeFailure(errRuntime, run, "Invalid path '%s' : No results for path: %s", p.Expr, bracketed(p.Expr))
	}
	return v, nil
}

// applyResultPath places result into the state's raw input: absent or "$"
// replaces it, null discards the result.
func applyResultPath(run *stateRun, p *asl.Path, raw, result any) (any, *Failure) {
	switch {
	case p == nil || p.Expr == "$":
		return result, nil
	case p.Null:
		return raw, nil
	}
	path, err := jsonpath.Parse(p.Expr)
	if err != nil {
		return nil, runtimeFailure(errRuntime, run, "Invalid path '%s'", p.Expr)
	}
	out, err := path.Set(raw, result)
	if err != nil {
		return nil, runtimeFailure(errResultPathMatch, run, "Unable to apply ReferencePath %s to input %s", p.Expr, marshal(raw))
	}
	return out, nil
}

// get evaluates a path against doc; a path that begins with $$ against the
// context object (InputPath, OutputPath and a Choice Variable may name it,
// LocalStack's AWS-recorded test_context_object cases); a variable reference
// ($name, $name.field, $name[0]) against the variable as the state was
// entered.
func (run *stateRun) get(expr string, doc any) (any, error) {
	if rest, ok := strings.CutPrefix(expr, "$$"); ok && run.ctxObj != nil {
		return get("$"+rest, run.ctxObj)
	}
	if name, rest, ok := variableRef(expr); ok {
		v, found := run.vars[name]
		if !found {
			return nil, fmt.Errorf("states: the variable %s is not defined", name)
		}
		doc, expr = v, "$"+rest
	}
	return get(expr, doc)
}

// variableRef splits a variable reference into the variable's name and the
// path within it.
func variableRef(expr string) (name, rest string, ok bool) {
	if len(expr) < 2 || expr[0] != '$' || !(expr[1] == '_' || unicode.IsLetter(rune(expr[1]))) {
		return "", "", false
	}
	i := 1
	for i < len(expr) && (expr[i] == '_' || unicode.IsLetter(rune(expr[i])) || unicode.IsDigit(rune(expr[i]))) {
		i++
	}
	return expr[1:i], expr[i:], true
}

// get evaluates a path against doc.
func get(expr string, doc any) (any, error) {
	p, err := jsonpath.Parse(expr)
	if err != nil {
		return nil, err
	}
	return p.Get(doc)
}

// bracketed writes a simple path in the bracket notation AWS's messages use:
// $.a.b becomes $['a']['b'].
func bracketed(expr string) string {
	rest, ok := strings.CutPrefix(expr, "$.")
	if !ok {
		return expr
	}
	var b strings.Builder
	b.WriteString("$")
	for _, part := range strings.Split(rest, ".") {
		b.WriteString("['" + part + "']")
	}
	return b.String()
}

// evalTemplate evaluates a payload template (Parameters, ResultSelector,
// ItemSelector) against input: a field whose name ends in ".$" takes the
// value of its path ($ for input, $$ for the context object) or intrinsic
// function call, under its name without the suffix.
func evalTemplate(run *stateRun, tmpl, input any, ctxObj map[string]any) (any, *Failure) {
	switch t := tmpl.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, v := range t {
			name, dynamic := strings.CutSuffix(k, ".$")
			if !dynamic {
				ev, f := evalTemplate(run, v, input, ctxObj)
				if f != nil {
					return nil, f
				}
				out[k] = ev
				continue
			}
			expr, _ := v.(string)
			ev, f := evalDynamic(run, k, expr, input, ctxObj)
			if f != nil {
				return nil, f
			}
			out[name] = ev
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, v := range t {
			ev, f := evalTemplate(run, v, input, ctxObj)
			if f != nil {
				return nil, f
			}
			out[i] = ev
		}
		return out, nil
	}
	return tmpl, nil
}

// evalDynamic evaluates the value of a ".$" field.
func evalDynamic(run *stateRun, field, expr string, input any, ctxObj map[string]any) (any, *Failure) {
	resolve := func(path string) (any, error) {
		doc := input
		if strings.HasPrefix(path, "$$") {
			doc, path = ctxObj, "$"+strings.TrimPrefix(path, "$$")
		}
		return run.get(path, doc)
	}
	if strings.HasPrefix(expr, "States.") {
		call, err := intrinsic.Parse(expr)
		if err != nil {
			return nil, runtimeFailure(errIntrinsicFailure, run, "%v", err)
		}
		v, err := call.Eval(intrinsic.Env{Resolve: resolve, UUID: uuid.NewString})
		if err != nil {
			var ie *intrinsic.Error
			if errors.As(err, &ie) {
				return nil, runtimeFailure(ie.Name, run, "%s", ie.Cause)
			}
			return nil, runtimeFailure(errIntrinsicFailure, run, "%v", err)
		}
		return v, nil
	}
	v, err := resolve(expr)
	if err != nil {
		doc := input
		if strings.HasPrefix(expr, "$$") {
			doc = ctxObj
		}
		return nil, runtimeFailure(errRuntime, run, "The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", expr, field, marshal(doc))
	}
	return v, nil
}

// failState computes a Fail state's error and cause.
func (th *thread) failState(st *asl.State, run *stateRun, raw any, ctxObj map[string]any) *Failure {
	f := &Failure{Error: st.Error, Cause: st.Cause}
	for _, field := range []struct {
		name, expr string
		dst        *string
	}{{"ErrorPath", st.ErrorPath, &f.Error}, {"CausePath", st.CausePath, &f.Cause}} {
		if field.expr == "" {
			continue
		}
		v, pf := evalDynamic(run, field.name, field.expr, raw, ctxObj)
		if pf != nil {
			return runtimeFailure(errRuntime, run, "The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", field.expr, field.name, marshal(raw))
		}
		s, ok := v.(string)
		if !ok {
			s = marshal(v)
		}
		*field.dst = s
	}
	return f
}

// waitDuration computes how long a Wait state waits from now.
func waitDuration(st *asl.State, run *stateRun, input any, now time.Time) (time.Duration, *Failure) {
	d, f := waitFor(st, run, input, now)
	// AWS accepts a delay up to 2^31 seconds (LocalStack's AWS-recorded
	// test_timestamp_too_far_in_future_boundary: 24855 days waits, 24856
	// fails).
	if f == nil && d > maxWait {
		return 0, runtimeFailure(errRuntime, run, "Wait state delay is too long.")
	}
	return d, f
}

// maxWait is the longest delay a Wait state accepts.
const maxWait = (1 << 31) * time.Second

func waitFor(st *asl.State, run *stateRun, input any, now time.Time) (time.Duration, *Failure) {
	switch {
	case st.Seconds != nil:
		return time.Duration(*st.Seconds) * time.Second, nil
	case st.Timestamp != "":
		t, _ := time.Parse(time.RFC3339Nano, st.Timestamp)
		return t.Sub(now), nil
	case st.SecondsPath != "":
		v, err := run.get(st.SecondsPath, input)
		if err != nil {
			return 0, runtimeFailure(errRuntime, run, "The SecondsPath parameter does not reference an input value: %s", st.SecondsPath)
		}
		// LocalStack's AWS-recorded test_wait causes.
		n, ok := number(v)
		if !ok || n != math.Trunc(n) {
			return 0, runtimeFailure(errRuntime, run, "The SecondsPath parameter cannot be parsed as a long value: %s == %s", st.SecondsPath, marshal(v))
		}
		if n < 0 {
			return 0, runtimeFailure(errRuntime, run, "The SecondsPath parameter references a negative value: %s == %s", st.SecondsPath, marshal(v))
		}
		return time.Duration(n) * time.Second, nil
	case st.TimestampPath != "":
		v, err := run.get(st.TimestampPath, input)
		if err != nil {
			return 0, runtimeFailure(errRuntime, run, "The TimestampPath parameter does not reference an input value: %s", st.TimestampPath)
		}
		s, _ := v.(string)
		t, perr := time.Parse(time.RFC3339Nano, s)
		if perr != nil || !strings.Contains(s, "T") {
			return 0, runtimeFailure(errRuntime, run, "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s", st.TimestampPath, s)
		}
		return t.Sub(now), nil
	}
	return 0, fail(errRuntime, "Wait state %s has no duration", st.Name)
}

// number returns a JSON number's value.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case interface{ Float64() (float64, error) }:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}
