package intrinsic

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func nest(depth int) string {
	return strings.Repeat("States.Array(", depth) + "1" + strings.Repeat(")", depth)
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		expr   string
		offset int
		msg    string
	}{
		{"empty", "", 0, "must start with"},
		{"leading space", " States.UUID()", 0, "must start with"},
		{"not an intrinsic", "$.a", 0, "must start with"},
		{"unknown function", "States.Foo()", 0, "unknown intrinsic function"},
		{"name is case sensitive", "States.format('x')", 0, "unknown intrinsic function"},
		{"no name", "States.()", 0, "unknown intrinsic function"},
		{"unknown nested function", "States.Array(States.Nope())", 13, "unknown intrinsic function"},
		{"missing open paren", "States.UUID", 11, "expected '('"},
		{"space before paren", "States.UUID ()", 11, "expected '('"},
		{"missing close paren", "States.Format('x'", 17, "missing ')'"},
		{"missing close paren nested", "States.Array(States.Array(1)", 28, "missing ')'"},
		{"extra close paren", "States.UUID())", 13, "unexpected text after"},
		{"trailing tokens", "States.Array($.a) trailing", 18, "unexpected text after"},
		{"unterminated string", "States.Format('x)", 14, "unterminated string"},
		{"unterminated after escape", `States.Format('x\`, 16, "unterminated string"},
		{"recorded illegal escape \\\"", `States.StringToJson('{"text":"An \"escaped double quote\" here"}')`, 33, "invalid escape"},
		{"recorded illegal escape in Format", `States.Format('He said, \"Hello, {}!\"', 'Test \"Name\" Here')`, 24, "invalid escape"},
		{"observed illegal escape \\n", `States.Base64Decode('YWJj\nZA==')`, 25, "invalid escape"},
		{"unicode escape", `States.Format('\u0041')`, 15, "invalid escape"},
		{"empty argument", "States.Array(1,)", 15, "missing argument"},
		{"leading comma", "States.Array(,1)", 13, "missing argument"},
		{"empty slot", "States.ArrayPartition($.arr, )", 29, "missing argument"},
		{"missing comma", "States.Array('a' 'b')", 17, "expected ',' or ')'"},
		{"trailing decimal point", "States.Array(1.)", 13, "invalid number"},
		{"leading decimal point", "States.Array(.5)", 13, "unexpected character"},
		{"leading zero", "States.Array(01)", 13, "invalid number"},
		{"plus sign", "States.Array(+1)", 13, "unexpected character"},
		{"bad exponent", "States.Array(1e)", 13, "invalid number"},
		{"lone minus", "States.Array(-)", 13, "invalid number"},
		{"number then letters", "States.Array(12ab)", 13, "invalid number"},
		{"array literal", "States.Array([1,2])", 13, "unexpected character"},
		{"object literal", "States.Array({})", 13, "unexpected character"},
		{"double-quoted string", `States.Array("x")`, 13, "unexpected character"},
		{"capitalised keyword", "States.Array(True)", 13, "unexpected word"},
		{"keyword prefix", "States.Array(nullx)", 13, "unexpected word"},
		{"unbalanced open bracket", "States.Array($.a[0)", 13, "unbalanced '['"},
		{"unbalanced close bracket", "States.Array($.a])", 16, "unbalanced ']'"},
		{"paren in path", "States.Array($.a(b))", 16, "in path"},
		{"quote in path", "States.Array($.a'b')", 16, "in path"},
		{"unterminated quote in path", "States.Array($['a)", 15, "unterminated quote"},
		{"too deep", nest(11), 130, "nested more than 10 deep"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(tc.expr)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, %v; want *SyntaxError", tc.expr, c, err)
			}
			if se.Expr != tc.expr || se.Offset != tc.offset || !strings.Contains(se.Msg, tc.msg) {
				t.Errorf("Parse(%q) = %+v; want offset %d and message containing %q", tc.expr, se, tc.offset, tc.msg)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name, expr, fn string
		nargs          int
	}{
		{"no arguments", "States.UUID()", "States.UUID", 0},
		{"space inside empty parens", "States.Array( )", "States.Array", 0},
		{"trailing whitespace", "States.UUID() \n", "States.UUID", 0},
		{"spaces around arguments", "States.Array( $.a ,\n$.b\t)", "States.Array", 2},
		{"all literal kinds", "States.Array('s', -1, 0, 1.5, 2e10, -3.25E-2, true, false, null)", "States.Array", 9},
		{"recorded raw newline in literal", "States.StringSplit('Hello\nWorld', '\n')", "States.StringSplit", 2},
		{"allowed escapes", `States.Format('\'\{\}\\')`, "States.Format", 1},
		{"unescaped braces and quotes", `States.StringToJson('{"a": "b"}')`, "States.StringToJson", 1},
		{"context path", "States.Format('{}', $$.Execution.Id)", "States.Format", 2},
		{"root path", "States.JsonToString($)", "States.JsonToString", 1},
		{"variable path", "States.JsonToString($myVar.x)", "States.JsonToString", 1},
		{"bracket paths", "States.Array($['a,b'], $.c[0], $.d[?(@.e == 'x, y')], $[\"q)\"])", "States.Array", 4},
		{"ten deep", nest(10), "States.Array", 1},
		{"wrong arity still parses", "States.Hash('x')", "States.Hash", 1},
		{"wrong types still parse", "States.MathAdd('a', true)", "States.MathAdd", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(tc.expr)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.expr, err)
			}
			got := []any{c.Name(), len(c.args), c.String()}
			want := []any{tc.fn, tc.nargs, strings.TrimRight(tc.expr, " \t\r\n")}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tc.expr, diff)
			}
		})
	}
}

func TestParseLiterals(t *testing.T) {
	c := mustParse(t, `States.Array('it\'s \{x\} \\', 'a`+"\n"+`b', -0, 1.50)`)
	got := []any{c.args[0].str, c.args[0].raw, c.args[1].str, c.args[2].num, c.args[3].num}
	want := []any{`it's {x} \`, `it\'s \{x\} \\`, "a\nb", json0, json150}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("literals (-want +got):\n%s", diff)
	}
}

var (
	json0   = intNumber(0)
	json150 = floatText("1.50")
)
