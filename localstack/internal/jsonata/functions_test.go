package jsonata

import (
	"context"
	"fmt"
	"regexp"
	"testing"
)

// TestPartition follows intrinsic_functions/test_array_jsonata.snapshot.json
// (test_array_partition): arrays [0..n) for n in 1..4, sizes 1..5.
func TestPartition(t *testing.T) {
	cases := []evalCase{
		{name: "1/1", expr: "$partition([0], 1)", want: `[[0]]`},
		{name: "1/5", expr: "$partition([0], 5)", want: `[[0]]`},
		{name: "2/1", expr: "$partition([0,1], 1)", want: `[[0],[1]]`},
		{name: "2/2", expr: "$partition([0,1], 2)", want: `[[0,1]]`},
		{name: "3/2", expr: "$partition([0,1,2], 2)", want: `[[0,1],[2]]`},
		{name: "3/4", expr: "$partition([0,1,2], 4)", want: `[[0,1,2]]`},
		{name: "4/2", expr: "$partition([0,1,2,3], 2)", want: `[[0,1],[2,3]]`},
		{name: "4/3", expr: "$partition([0,1,2,3], 3)", want: `[[0,1,2],[3]]`},
		{name: "from input", expr: "$partition($states.input.FunctionInput.fst, $states.input.FunctionInput.snd)",
			vars: `{"states":{"input":{"FunctionInput":{"fst":[0,1,2,3],"snd":1}}}}`, want: `[[0],[1],[2],[3]]`},
		{name: "docs example", expr: "$partition([1,2,3,4,5,6,7,8,9], 3)", want: `[[1,2,3],[4,5,6],[7,8,9]]`},
		{name: "empty", expr: "$partition([], 2)", want: `[]`},
		{name: "zero size", expr: "$partition([1], 0)", code: "T0410"},
		{name: "fractional size", expr: "$partition([1], 1.5)", code: "T0410"},
		{name: "string size", expr: "$partition([1], '1')", code: "T0410"},
	}
	runEvalCases(t, cases)
}

// TestRange follows test_array_jsonata.snapshot.json (test_array_range).
// AWS returns a single-element result as the element: $range(1, 9, 9) is 1.
func TestRange(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "0,9,3", expr: "$range(0, 9, 3)", want: `[0,3,6,9]`},
		{name: "0,10,3", expr: "$range(0, 10, 3)", want: `[0,3,6,9]`},
		{name: "1,9,9", expr: "$range(1, 9, 9)", want: `1`},
		{name: "1,9,2", expr: "$range(1, 9, 2)", want: `[1,3,5,7,9]`},
		{name: "docs even", expr: "$range(0, 10, 2)", want: `[0,2,4,6,8,10]`},
		{name: "descending", expr: "$range(10, 0, -5)", want: `[10,5,0]`},
		{name: "empty is undefined", expr: "$range(5, 1, 1)"},
		{name: "zero step", expr: "$range(0, 1, 0)", code: "T0410"},
		{name: "string start", expr: "$range('a', 1, 1)", code: "T0410"},
		{name: "too many", expr: "$range(0, 1e9, 1)", code: "D2014"},
	})
}

// TestParse follows intrinsic_functions/test_json_manipulation_jsonata.snapshot.json.
func TestParse(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "negative zero", expr: "$parse('-0')", want: `0`},
		{name: "int", expr: "$parse('1')", want: `1`},
		{name: "float", expr: "$parse('1.1')", want: `1.1`},
		{name: "bool", expr: "$parse('true')", want: `true`},
		{name: "string", expr: `$parse('"HelloWorld"')`, want: `"HelloWorld"`},
		{name: "array", expr: `$parse('[1, 2, "HelloWorld"]')`, want: `[1,2,"HelloWorld"]`},
		{name: "object", expr: `$parse($states.input.FunctionInput)`, vars: `{"states":{"input":{"FunctionInput":"{\"Arg1\": 1, \"Arg2\": []}"}}}`, want: `{"Arg1":1,"Arg2":[]}`},
		{name: "null", expr: "$parse('null')", want: `null`},
		{name: "usable", expr: `$parse('{"a":[1,2]}').a[1] + 1`, want: `3`},
		{name: "malformed", expr: "$parse('{')", code: "D3140"},
		{name: "trailing", expr: "$parse('1 2')", code: "D3140"},
		{name: "not a string", expr: "$parse(1)", code: "T0410"},
	})
}

// TestHash uses the standard test vectors; the algorithm names are those of
// States.Hash, which AWS documents for $hash.
func TestHash(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "MD5", expr: "$hash('', 'MD5')", want: `"d41d8cd98f00b204e9800998ecf8427e"`},
		{name: "SHA-1", expr: "$hash('abc', 'SHA-1')", want: `"a9993e364706816aba3e25717850c26c9cd0d89d"`},
		{name: "SHA-256", expr: "$hash('abc', 'SHA-256')", want: `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`},
		{name: "SHA-384", expr: "$hash('abc', 'SHA-384')", want: `"cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"`},
		{name: "SHA-512", expr: "$hash('abc', 'SHA-512')", want: `"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"`},
		{name: "unknown algorithm", expr: "$hash('abc', 'SHA-3')", code: "T0410"},
		{name: "lowercase name", expr: "$hash('abc', 'sha-256')", code: "T0410"},
		{name: "not a string", expr: "$hash(1, 'MD5')", code: "T0410"},
	})
}

func TestRandom(t *testing.T) {
	ctx := context.Background()
	eval := func(expr string) any {
		t.Helper()
		v, ok, err := mustCompile(t, expr).Eval(ctx, nil, nil)
		if err != nil || !ok {
			t.Fatalf("Eval(%q) = %v, %v, %v", expr, v, ok, err)
		}
		return v
	}
	for _, expr := range []string{"$random()", "$random(42)", "$random(-3)"} {
		var f float64
		if _, err := fmt.Sscan(fmt.Sprint(eval(expr)), &f); err != nil || f < 0 || f >= 1 {
			t.Errorf("%s = %v, want a number in [0, 1)", expr, f)
		}
	}
	if a, b := eval("$random(42)"), eval("$random(42)"); a != b {
		t.Errorf("$random(42) gave %v then %v, want the same", a, b)
	}
	if a, b := eval("$random(42)"), eval("$random(43)"); a == b {
		t.Errorf("$random(42) = $random(43) = %v", a)
	}
	runEvalCases(t, []evalCase{
		{name: "string seed", expr: "$random('x')", code: "T0410"},
		{name: "two seeds", expr: "$random(1, 2)", code: "T0410"},
	})
}

func TestUUID(t *testing.T) {
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[any]bool{}
	for range 20 {
		v, ok, err := mustCompile(t, "$uuid()").Eval(context.Background(), nil, nil)
		s, _ := v.(string)
		if err != nil || !ok || !v4.MatchString(s) || seen[v] {
			t.Fatalf("$uuid() = %v, %v, %v; want a new version 4 UUID", v, ok, err)
		}
		seen[v] = true
	}
}
