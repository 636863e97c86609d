package jsonata

import (
	"context"
	"errors"
	"testing"
)

// FuzzCompileEval checks that no expression panics and that every error is
// one of this package's types.
func FuzzCompileEval(f *testing.F) {
	for _, s := range []string{
		"$states.input.a", "$partition([1,2,3], 2)", "$range(0, 9, 3)", "$parse('[1]')",
		"$hash('a', 'MD5')", "($x := 1; $x + 1)", "a[0].b", "{'a': [1..3]}", "$string($)",
		"/x/", "$sort(a, function($l, $r){$l > $r})", "a ~> |$|{}|", "**", "%", "@$x", "#$i",
	} {
		f.Add(s)
	}
	input := map[string]any{"a": []any{"1", nil, map[string]any{"b": true}}}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Compile(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Compile(%q): untyped error %T %v", s, err, err)
			}
			return
		}
		_, _, err = e.Eval(context.Background(), input, map[string]any{"states": map[string]any{"input": input}})
		var ee *EvalError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("Eval(%q): untyped error %T %v", s, err, err)
		}
	})
}
