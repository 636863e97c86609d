package intrinsic

import (
	"errors"
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	"States.Format('Hello, {}!', $.name)",
	"States.Format($.template, $.a, $.b)",
	`States.Format('\'\{\}\\ {}', States.JsonToString($.obj))`,
	"States.StringToJson($.json)",
	"States.JsonToString($)",
	"States.Array(1, -2.5e3, true, null, 'x', $.arr, $$.Execution.Id)",
	"States.ArrayPartition($.arr, 2)",
	"States.ArrayContains($.arr, $.obj)",
	"States.ArrayRange(1, 1000, 1)",
	"States.ArrayGetItem($.arr, 1.5)",
	"States.ArrayLength($.arr)",
	"States.ArrayUnique($.arr)",
	"States.Base64Encode($.name)",
	"States.Base64Decode('aGVsbG8')",
	"States.Hash($.obj, 'SHA-384')",
	"States.JsonMerge($.obj, States.StringToJson($.json), false)",
	"States.MathRandom(1, 10, 42)",
	"States.MathRandom(1, 10)",
	"States.MathAdd($.n, -1)",
	"States.StringSplit($.csv, ',;')",
	"States.UUID()",
	nest(10),
	"States.Array($['a,b'], $.c[?(@.d == 'x')])",
	"States.Format('{', $.a",
}

// FuzzParse checks that Parse never panics, that every error is a
// *SyntaxError, and that accepted expressions round-trip and validate.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		c, err := Parse(expr)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T is not *SyntaxError", expr, err)
			}
			if se.Offset < 0 || se.Offset > len(expr) {
				t.Fatalf("Parse(%q) offset %d out of range", expr, se.Offset)
			}
			return
		}
		if got, want := c.String(), strings.TrimRight(expr, " \t\r\n"); got != want {
			t.Fatalf("String() = %q, want %q", got, want)
		}
		if _, err := Parse(c.String()); err != nil {
			t.Fatalf("re-Parse(%q): %v", c.String(), err)
		}
		if err := c.Validate(); err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Validate(%q) error %T is not *SyntaxError", expr, err)
			}
		}
	})
}

// FuzzEval checks that evaluation against a fixed Env never panics, that
// every error is an *Error with a name and cause, and that results follow the
// UseNumber data model.
func FuzzEval(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	input := decode(f, `{"name":"World","template":"{} and {}","a":1,"b":[1,2],"json":"{\"k\":[1,2.5,null]}",
		"obj":{"x":{"y":"z"},"n":-0},"arr":[1,1.0,"1",null,[1],{"a":1}],"n":2147483647,"csv":"a,b;;c"}`)
	ctx := decode(f, `{"Execution":{"Id":"arn:aws:states:us-east-1:1:execution:sm:e"}}`)
	env := docEnv(input, ctx)
	f.Fuzz(func(t *testing.T, expr string) {
		c, err := Parse(expr)
		if err != nil {
			return
		}
		v, err := c.Eval(env)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Name == "" || e.Cause == "" {
				t.Fatalf("Eval(%q) error %v (%T) is not a complete *Error", expr, err, err)
			}
			return
		}
		checkNoFloat(t, v)
	})
}
