package jsonata

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

func TestEval(t *testing.T) {
	const doc = `{"input_value":"string literal","input_values":[1,2,3],"n":null,"o":{"k":"v","z":null}}`
	runEvalCases(t, []evalCase{
		{name: "path", expr: "o.k", input: doc, want: `"v"`},
		{name: "context", expr: "$", input: doc, want: doc},
		{name: "null value", expr: "n", input: doc, want: `null`},
		{name: "nested null", expr: "o.z", input: doc, want: `null`},
		{name: "type of null", expr: "$type(n)", input: doc, want: `"null"`},
		{name: "nulls in array", expr: "[n, o.z]", input: doc, want: `[null,null]`},
		{name: "array of input", expr: "input_values", input: doc, want: `[1,2,3]`},
		{name: "map over numbers", expr: "input_values.($ * 2)", input: doc, want: `[2,4,6]`},
		{name: "sum", expr: "$sum(input_values)", input: doc, want: `6`},
		{name: "count", expr: "$count(input_values)", input: doc, want: `3`},
		{name: "split gives strings", expr: "$split('a,b', ',')", want: `["a","b"]`},
		{name: "block", expr: "($x := 5; $x * 2)", want: `10`},
		{name: "object constructor", expr: "{'a': 1, 'b': [true, null]}", want: `{"a":1,"b":[true,null]}`},
		{name: "empty object", expr: "{}", want: `{}`},
		{name: "empty array", expr: "[]", want: `[]`},
		{name: "range operator", expr: "[1..3]", want: `[1,2,3]`},
		{name: "order by", expr: "[3,1,2]^($)", want: `[1,2,3]`},
		{name: "transform", expr: "{'a':1} ~> |$|{'b':2}|", want: `{"a":1,"b":2}`},
		{name: "ternary", expr: "1 < 2 ? 'yes' : 'no'", want: `"yes"`},
		{name: "concat", expr: "'a' & 1", want: `"a1"`},

		// $states and workflow variables, as outputdecl/test_output.snapshot.json
		// (BASE_EXPR) uses them: $states.input and a variable from Assign.
		{name: "states input", expr: "$states.input.input_value", vars: `{"states":{"input":` + doc + `}}`, want: `"string literal"`},
		{name: "variable", expr: "$var_constant_1 + $sum($states.input.input_values)", vars: `{"var_constant_1":1,"states":{"input":` + doc + `}}`, want: `7`},
		{name: "states context", expr: "$states.context.State.Name", vars: `{"states":{"context":{"State":{"Name":"State0"}}}}`, want: `"State0"`},

		// evaluate_jsonata/test_base_evaluate_expressions.snapshot.json
		// (test_base_jsonata_regular_expressions, test_merge_with_dynamic_args).
		{name: "regex true", expr: `$contains("hello$world", /^hello\$/)`, input: `{}`, want: `true`},
		{name: "regex false", expr: `$contains("hello$world", /^hello\ /)`, input: `{}`, want: `false`},
		{name: "regex single quote", expr: `$contains('hello$world', /^hello\$/)`, input: `{}`, want: `true`},
		{name: "merge", expr: "$merge([$states.input.part1, $states.input.part2])",
			vars: `{"states":{"input":{"part1":{"hello":"world"},"part2":{"foo":"bar"}}}}`, want: `{"hello":"world","foo":"bar"}`},

		// Undefined results: outputdecl, arguments and assign snapshots record
		// "The JSONata expression '$doesNotExist' ... returned nothing (undefined)."
		{name: "undefined variable", expr: "$doesNotExist", input: doc},
		{name: "missing field", expr: "nope", input: doc},
		{name: "missing states field", expr: "$states.input.x", vars: `{"states":{"input":{}}}`},
		{name: "empty filter", expr: "input_values[$ > 5]", input: doc},

		// Number rendering: JavaScript's, integers without a fraction.
		{name: "integer", expr: "3.0", want: `3`},
		{name: "float sum", expr: "0.1 + 0.2", want: `0.30000000000000004`},
		{name: "float input", expr: "f + 0.2", input: `{"f":0.1}`, want: `0.30000000000000004`},
		{name: "large", expr: "1e21", want: `1e+21`},
		{name: "below exponent", expr: "1e20", want: `100000000000000000000`},
		{name: "small", expr: "1e-7", want: `1e-7`},
		{name: "division", expr: "1 / 3", want: `0.3333333333333333`},
		{name: "negative zero", expr: "-0", want: `0`},
		{name: "string of float", expr: "$string(0.1 + 0.2)", want: `"0.3"`},
		{name: "string of object", expr: "$string({'a': 0.1 + 0.2, 'b': 'x<y'})", want: `"{\"a\":0.3,\"b\":\"x<y\"}"`},
		{name: "string of large", expr: "$string(1e21)", want: `"1e+21"`},
		{name: "string of context", expr: "n.$string()", input: `{"n":12}`, want: `"12"`},
		{name: "string of function", expr: "$string(function(){1})", want: `""`},

		// Errors: codes and messages of the reference implementation.
		// intrinsic_functions/test_math_operations_jsonata.snapshot.json:
		// "T1006: Attempted to invoke a non-function".
		{name: "unknown function", expr: "$randomSeeded($states.input.FunctionInput.fst)", vars: `{"states":{"input":{"FunctionInput":"fst"}}}`,
			code: "T1006", msg: "Attempted to invoke a non-function"},
		{name: "eval is disabled", expr: "$eval('1')", code: "T1006"},
		{name: "left not number", expr: "'a' + 1", code: "T2001", msg: "The left side of the + operator must evaluate to a number"},
		{name: "right not number", expr: "1 + 'a'", code: "T2002"},
		{name: "string input not number", expr: "input_value * 2", input: doc, code: "T2001"},
		{name: "divide by zero", expr: "1 / 0", code: "D1001"},
		{name: "duplicate key", expr: "{'a': 1, 'a': 2}", code: "D1009"},
		{name: "argument count", expr: "$substring()", code: "T0410"},
		{name: "error function", expr: "$error('boom')", code: "D3137", msg: "boom"},
		{name: "assert fails", expr: "$assert(1 = 2, 'nope')", code: "D3141", msg: "nope"},
		{name: "assert holds", expr: "$assert(true)"},
	})
}

// TestEvalFunctionResult: scenarios snapshots record "The JSONata
// expression '$fn := function($x){$x}' specified for the field 'Items'
// returned an unsupported result type."
func TestEvalFunctionResult(t *testing.T) {
	for _, expr := range []string{"$fn := function($x){$x}", "$uppercase", "[function(){1}]"} {
		_, ok, err := mustCompile(t, expr).Eval(context.Background(), nil, nil)
		var ee *EvalError
		if !errors.As(err, &ee) || !errors.Is(err, ErrUnsupportedResult) || ok {
			t.Errorf("Eval(%q) = %v, %v; want *EvalError wrapping ErrUnsupportedResult", expr, ok, err)
		}
	}
}

func TestEvalDoesNotChangeInput(t *testing.T) {
	input := decode(t, `{"a":[1,{"b":2}]}`)
	before, _ := json.Marshal(input)
	if _, _, err := mustCompile(t, "a ~> |$|{'c':3}|").Eval(context.Background(), input, map[string]any{"v": input}); err != nil {
		t.Fatal(err)
	}
	after, _ := json.Marshal(input)
	if string(before) != string(after) {
		t.Errorf("input changed: %s -> %s", before, after)
	}
}

func TestEvalBadInput(t *testing.T) {
	e := mustCompile(t, "$")
	tests := []struct {
		name  string
		input any
		vars  map[string]any
	}{
		{"number out of range", json.Number("1e999"), nil},
		{"unsupported type", struct{}{}, nil},
		{"bad variable value", nil, map[string]any{"x": []any{make(chan int)}}},
		{"bad variable name", nil, map[string]any{"a-b": "x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := e.Eval(context.Background(), tc.input, tc.vars)
			var ee *EvalError
			if !errors.As(err, &ee) {
				t.Fatalf("err = %v, want *EvalError", err)
			}
		})
	}
}

func TestEvalCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := mustCompile(t, "1").Eval(ctx, nil, nil)
	var ee *EvalError
	if !errors.As(err, &ee) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want *EvalError wrapping context.Canceled", err)
	}
}

func TestCompileSyntaxError(t *testing.T) {
	tests := []struct {
		expr, code string
	}{
		{"1 +", "S0203"},
		{"$x := 5; $x", "S0201"},
		{"'abc", "S0101"},
		{"(", "S0203"},
		{"1 := 2", "S0212"},
		{"//", "S0301"},
		{"]", "S0211"},
		{"$p(!\U000f3c30\xb0\xb000", ""}, // invalid UTF-8: the library's lexer overflowed the stack (fuzz)
		{"$p(!\U000f3c300", "S0204"},     // '!' before a multi-byte rune: the same (fuzz)
		{"!é", "S0204"},                  // the same lexer bug panicked
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			_, err := Compile(tc.expr)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Compile(%q) = %v, want *SyntaxError", tc.expr, err)
			}
			if se.Expr != tc.expr || se.Code != tc.code || se.Msg == "" {
				t.Errorf("Compile(%q) = %+v, want code %s", tc.expr, se, tc.code)
			}
		})
	}
}

func TestConcurrentEval(t *testing.T) {
	e := mustCompile(t, "$v + $count($states.input)")
	done := make(chan error)
	for i := range 8 {
		go func() {
			v, _, err := e.Eval(context.Background(), nil, map[string]any{"v": json.Number("1"), "states": map[string]any{"input": make([]any, i)}})
			if err == nil && v != json.Number(jsNumber(float64(1+i))) {
				err = errors.New("wrong value")
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
