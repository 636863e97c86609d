package intrinsic

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decode parses JSON the way the engine does (UseNumber).
func decode(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("bad test JSON %q: %v", s, err)
	}
	return v
}

// docEnv resolves "$..." against input and "$$..." against ctx with a tiny
// JSONPath subset (dotted names and [n] indexes), failing like AWS on misses.
func docEnv(input, ctx any) Env {
	return Env{
		Resolve: func(path string) (any, error) {
			root, rest := input, strings.TrimPrefix(path, "$")
			if strings.HasPrefix(path, "$$") {
				root, rest = ctx, strings.TrimPrefix(path, "$$")
			}
			v, ok := walk(root, rest)
			if !ok {
				in, _ := json.Marshal(input)
				return nil, fmt.Errorf("The JsonPath argument for the field '%s' could not be found in the input '%s'", path, in)
			}
			return v, nil
		},
		UUID: func() string { return "00000000-0000-4000-8000-000000000000" },
		Rand: func(lo, _ int64) int64 { return lo },
	}
}

func walk(v any, path string) (any, bool) {
	for path != "" {
		switch {
		case strings.HasPrefix(path, "."):
			path = path[1:]
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[path[:end]]; !ok {
				return nil, false
			}
			path = path[end:]
		case strings.HasPrefix(path, "["):
			end := strings.IndexByte(path, ']')
			i, err := strconv.Atoi(path[1:max(end, 1)])
			a, ok := v.([]any)
			if end < 0 || err != nil || !ok || i < 0 || i >= len(a) {
				return nil, false
			}
			v, path = a[i], path[end+1:]
		default:
			return nil, false
		}
	}
	return v, true
}

// evalCase is one row of a per-function table: either want (JSON) or cause
// (the text after "Invalid arguments in States.X"-style prefixes) is set.
type evalCase struct {
	name  string
	expr  string
	input string // JSON state input; "" means {}
	want  string // expected result as JSON
	cause string // expected suffix of Error.Cause, after the call prefix
}

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := "{}"
			if tc.input != "" {
				in = tc.input
			}
			ctx := decode(t, `{"Execution":{"Id":"arn:aws:states:us-east-1:111111111111:execution:sm-name-abc:exec1","Name":"exec1"},
				"StateMachine":{"Id":"arn:aws:states:us-east-1:111111111111:stateMachine:sm-name-abc","Name":"sm-name-abc"}}`)
			call, err := Parse(tc.expr)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.expr, err)
			}
			got, err := call.Eval(docEnv(decode(t, in), ctx))
			if tc.cause != "" {
				checkFailure(t, err, tc.cause)
				return
			}
			if err != nil {
				t.Fatalf("Eval(%q): %v", tc.expr, err)
			}
			checkNoFloat(t, got)
			if diff := cmp.Diff(decode(t, tc.want), got); diff != "" {
				t.Errorf("Eval(%q) mismatch (-want +got):\n%s", tc.expr, diff)
			}
		})
	}
}

// checkFailure asserts an AWS-shaped run-time failure whose cause ends in suffix.
func checkFailure(t *testing.T, err error, suffix string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if e.Name != StatesRuntime {
		t.Errorf("Name = %q, want %q", e.Name, StatesRuntime)
	}
	if !strings.HasPrefix(e.Cause, "There was an error while evaluating the intrinsic function: States.") {
		t.Errorf("Cause %q lacks the AWS prefix", e.Cause)
	}
	if !strings.HasSuffix(e.Cause, suffix) {
		t.Errorf("Cause = %q, want suffix %q", e.Cause, suffix)
	}
}

// checkNoFloat asserts the UseNumber data model: no float64 anywhere.
func checkNoFloat(t testing.TB, v any) {
	t.Helper()
	switch x := v.(type) {
	case nil, bool, string, json.Number:
	case []any:
		for _, e := range x {
			checkNoFloat(t, e)
		}
	case map[string]any:
		for _, e := range x {
			checkNoFloat(t, e)
		}
	default:
		t.Fatalf("result holds %T (%v), not a UseNumber JSON value", v, v)
	}
}

func floatText(s string) json.Number { return json.Number(s) }
