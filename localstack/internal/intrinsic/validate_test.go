package intrinsic

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateErrors(t *testing.T) {
	tests := []struct {
		name, expr string
		offset     int
		msg        string
	}{
		{"Base64Encode without argument", "States.Base64Encode()", 0, "takes 1 arguments, got 0"},
		{"Hash with one argument", "States.Hash('hello')", 0, "takes 2 arguments, got 1"},
		{"ArrayRange with two", "States.ArrayRange(1, 5)", 0, "takes 3 arguments"},
		{"ArrayRange with four", "States.ArrayRange(1, 5, 1, 99)", 0, "takes 3 arguments"},
		{"MathRandom with one", "States.MathRandom(1)", 0, "takes 2 to 3 arguments"},
		{"MathRandom with four", "States.MathRandom(1, 10, 5, 99)", 0, "takes 2 to 3 arguments"},
		{"JsonMerge without flag", "States.JsonMerge($.a, $.b)", 0, "takes 3 arguments"},
		{"UUID with argument", "States.UUID(1)", 0, "takes 0 arguments"},
		{"Format without template", "States.Format()", 0, "at least 1 arguments"},
		{"string for number", "States.MathAdd('a', 1)", 15, "argument 1 of States.MathAdd must be a number, not a string"},
		{"number for string", "States.Base64Encode(123)", 20, "must be a string, not a number"},
		{"string for array", "States.ArrayGetItem('not-array', 0)", 20, "must be an array"},
		{"string chunk", "States.ArrayPartition($.a, '2')", 27, "must be a number"},
		{"null seed", "States.MathRandom(1, 10, null)", 25, "must be a number, not null"},
		{"bool for object", "States.JsonMerge(true, $.b, false)", 17, "must be an object"},
		{"nested call kind", "States.StringSplit($.a, States.Array(1))", 24, "must be a string, not an array"},
		{"nested call inside", "States.Array(States.MathAdd('a', 1))", 28, "must be a number"},
		{"unknown Hash algorithm", "States.Hash('x', 'sha-256')", 0, "unsupported States.Hash algorithm"},
		{"Format count", "States.Format('{} {}', $.a)", 0, "2 placeholders but 1 arguments"},
		{"Format template", "States.Format('Hello {', $.a)", 0, "matching '}' not found"},
		{"ArrayRange zero step", "States.ArrayRange(1, 10, 0)", 0, "step must not be 0"},
		{"ArrayRange step truncating to zero", "States.ArrayRange(1, 10, 0.49)", 0, "step must not be 0"},
		{"deep JsonMerge", "States.JsonMerge($.a, $.b, true)", 0, "only shallow"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := mustParse(t, tc.expr).Validate()
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Validate(%q) = %v; want *SyntaxError", tc.expr, err)
			}
			if se.Offset != tc.offset || !strings.Contains(se.Msg, tc.msg) {
				t.Errorf("Validate(%q) = %+v; want offset %d, message containing %q", tc.expr, se, tc.offset, tc.msg)
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	for _, expr := range []string{
		"States.Array()",
		"States.Format('{} and {}', $.a, States.UUID())",
		"States.Format($.template, $.a, $.b)",
		"States.Hash(123, 'SHA-256')", // AWS hashes the text "123"
		"States.Hash($.a, $.algo)",
		"States.JsonMerge($.a, States.StringToJson($.b), 'false')",
		"States.ArrayGetItem(States.StringSplit($.a, ','), States.MathAdd(States.ArrayLength($.b), -1))",
		"States.MathRandom(1, 10, 42)",
		"States.JsonToString(null)",
		nest(10),
	} {
		if err := mustParse(t, expr).Validate(); err != nil {
			t.Errorf("Validate(%q) = %v; want nil", expr, err)
		}
	}
}
