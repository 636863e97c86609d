package jsonata

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func decode(t testing.TB, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return v
}

func mustCompile(t testing.TB, s string) *Expr {
	t.Helper()
	e, err := Compile(s)
	if err != nil {
		t.Fatalf("Compile(%q): %v", s, err)
	}
	return e
}

// evalCase is one row of an Eval table. input and vars are JSON ("" means
// null input / no variables). want is the expected result as JSON; "" means
// undefined. code, if set, is the JSONata code of the expected *EvalError,
// and msg, if set, its message.
type evalCase struct {
	name, expr, input, vars string
	want                    string
	code, msg               string
}

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := mustCompile(t, tc.expr)
			var input any
			if tc.input != "" {
				input = decode(t, tc.input)
			}
			var vars map[string]any
			if tc.vars != "" {
				vars = decode(t, tc.vars).(map[string]any)
			}
			got, ok, err := e.Eval(context.Background(), input, vars)
			if tc.code != "" || tc.msg != "" {
				var ee *EvalError
				if !errors.As(err, &ee) {
					t.Fatalf("Eval(%q) = %v, %v, %v; want *EvalError %s", tc.expr, got, ok, err, tc.code)
				}
				if ee.Code != tc.code || (tc.msg != "" && ee.Msg != tc.msg) {
					t.Fatalf("Eval(%q) error = %s: %s; want %s: %s", tc.expr, ee.Code, ee.Msg, tc.code, tc.msg)
				}
				if ee.Expr != tc.expr {
					t.Errorf("EvalError.Expr = %q, want %q", ee.Expr, tc.expr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Eval(%q): %v", tc.expr, err)
			}
			if tc.want == "" {
				if ok {
					t.Fatalf("Eval(%q) = %#v, want undefined", tc.expr, got)
				}
				return
			}
			if !ok {
				t.Fatalf("Eval(%q) undefined, want %s", tc.expr, tc.want)
			}
			if diff := cmp.Diff(decode(t, tc.want), got); diff != "" {
				t.Errorf("Eval(%q) mismatch (-want +got):\n%s", tc.expr, diff)
			}
		})
	}
}
