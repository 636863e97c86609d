package intrinsic

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
)

// Env gives [Call.Eval] what it needs from the execution. Its zero value works
// for calls without paths: Resolve then fails, UUID and Rand fall back to
// crypto/rand and math/rand/v2.
type Env struct {
	// Resolve evaluates a JSONPath argument ("$.a", "$$.Execution.Id", "$",
	// "$var.x") against the state input, context object or variables. It must
	// return JSON values as decoded with json.Decoder.UseNumber. An error that
	// is an *Error keeps its Name; any other error becomes a States.Runtime
	// failure whose Cause ends with err.Error(), so engines should word it as
	// AWS does: "The JsonPath argument for the field '$.a' could not be found
	// in the input '{...}'".
	Resolve func(path string) (any, error)
	// UUID returns a new version 4 UUID string for States.UUID.
	UUID func() string
	// Rand returns a uniformly random integer in [lo, hi], both inclusive, for
	// States.MathRandom without a seed. With a seed Eval does not call Rand: it
	// computes the value itself, deterministically for that seed.
	Rand func(lo, hi int64) int64
}

// Eval evaluates the call. Run-time failures are *[Error]; they carry
// [ErrInvalidArguments] or the error of [Env.Resolve]. Returned values use
// the encoding/json UseNumber data model (numbers are json.Number, never
// float64) and may share nested values with what Resolve returned, so treat
// them as read-only. Eval is safe for concurrent use if env's functions are.
func (c *Call) Eval(env Env) (any, error) {
	return c.eval(&env)
}

func (c *Call) eval(env *Env) (any, error) {
	s := specOf(c.fn)
	if len(c.args) < s.min || s.max >= 0 && len(c.args) > s.max {
		return nil, c.invalid("")
	}
	vals := make([]any, len(c.args))
	for i := range c.args {
		v, err := c.evalArg(env, &c.args[i])
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return s.run(c, env, vals)
}

func (c *Call) evalArg(env *Env, a *arg) (any, error) {
	switch a.kind {
	case argString:
		return a.str, nil
	case argNumber:
		return a.num, nil
	case argBool:
		return a.b, nil
	case argNull:
		return nil, nil
	case argCall:
		return a.call.eval(env)
	}
	if env.Resolve == nil {
		return nil, c.fail("The JsonPath argument for the field '"+a.str+"' could not be resolved: no Resolve function", nil)
	}
	v, err := env.Resolve(a.str)
	if err != nil {
		name := StatesRuntime
		if e := (*Error)(nil); errors.As(err, &e) {
			name, err = e.Name, resolveError{e}
		}
		return nil, &Error{Name: name, Cause: c.prefix() + " " + causeOf(err), Err: err}
	}
	v, ok := normalize(v)
	if !ok {
		return nil, c.fail("The JsonPath argument for the field '"+a.str+"' is not a JSON value", nil)
	}
	return v, nil
}

// resolveError keeps an *Error from Resolve reachable through errors.As while
// its Cause is reused in ours.
type resolveError struct{ e *Error }

func (r resolveError) Error() string { return r.e.Error() }
func (r resolveError) Unwrap() error { return r.e }

func causeOf(err error) string {
	if r, ok := err.(resolveError); ok {
		return r.e.Cause
	}
	return err.Error()
}

// prefix is how AWS introduces an intrinsic failure in the cause.
func (c *Call) prefix() string {
	return "There was an error while evaluating the intrinsic function: " + c.text + "."
}

// invalid reports "Invalid arguments in States.X" followed by detail.
func (c *Call) invalid(detail string) *Error {
	return c.fail("Invalid arguments in "+c.name+detail, ErrInvalidArguments)
}

func (c *Call) fail(msg string, err error) *Error {
	return &Error{Name: StatesRuntime, Cause: c.prefix() + " " + msg, Err: err}
}

// normalize converts Go numbers that a careless Resolve may return into
// json.Number, copying containers only when something inside changes. ok is
// false for values that are not JSON.
func normalize(v any) (out any, ok bool) {
	out, _, ok = norm(v)
	return out, ok
}

func norm(v any) (out any, changed, ok bool) {
	switch t := v.(type) {
	case nil, bool, string:
		return v, false, true
	case json.Number:
		if _, ok := parseNumber(t); !ok {
			return nil, false, false
		}
		return t, false, true
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return nil, false, false
		}
		return floatNumber(t), true, true
	case float32:
		return norm(float64(t))
	case int:
		return json.Number(strconv.Itoa(t)), true, true
	case int64:
		return json.Number(strconv.FormatInt(t, 10)), true, true
	case int32:
		return json.Number(strconv.FormatInt(int64(t), 10)), true, true
	case uint64:
		return json.Number(strconv.FormatUint(t, 10)), true, true
	case []any:
		var cp []any
		for i, e := range t {
			n, ch, ok := norm(e)
			if !ok {
				return nil, false, false
			}
			if ch && cp == nil {
				cp = make([]any, len(t))
				copy(cp, t)
			}
			if cp != nil {
				cp[i] = n
			}
		}
		if cp == nil {
			return t, false, true
		}
		return cp, true, true
	case map[string]any:
		var cp map[string]any
		for k, e := range t {
			n, ch, ok := norm(e)
			if !ok {
				return nil, false, false
			}
			if ch && cp == nil {
				cp = make(map[string]any, len(t))
				for k2, e2 := range t {
					cp[k2] = e2
				}
			}
			if cp != nil {
				cp[k] = n
			}
		}
		if cp == nil {
			return t, false, true
		}
		return cp, true, true
	}
	return nil, false, false
}
