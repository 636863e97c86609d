package intrinsic

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMathAdd(t *testing.T) {
	inv := "Invalid arguments in States.MathAdd"
	cases := []evalCase{
		{name: "doc", expr: "States.MathAdd($.value1, $.step)", input: `{"value1":111,"step":-1}`, want: `110`},
		{name: "observed int32 max", expr: "States.MathAdd(2147483647, 0)", want: `2147483647`},
		{name: "observed int32 min", expr: "States.MathAdd(-2147483647, -1)", want: `-2147483648`},
		{name: "nested", expr: "States.MathAdd(States.MathAdd($.x, 1), 2)", input: `{"x":5}`, want: `8`},
		{name: "observed overflow", expr: "States.MathAdd(2147483647, 1)", cause: inv},
		{name: "observed underflow", expr: "States.MathAdd(-2147483648, -1)", cause: inv},
		{name: "observed operand beyond int32", expr: "States.MathAdd(3000000000, 1)", cause: inv},
		{name: "observed string", expr: "States.MathAdd('a', 1)", cause: inv},
		{name: "observed numeric string", expr: "States.MathAdd('1.5', 2)", cause: inv},
		{name: "observed null", expr: "States.MathAdd(null, 1)", cause: inv},
		{name: "observed boolean", expr: "States.MathAdd(true, 1)", cause: inv},
		{name: "observed array", expr: "States.MathAdd(-1, $.p)", input: `{"p":[0]}`, cause: inv},
		{name: "one argument", expr: "States.MathAdd(1)", cause: inv},
	}
	// Recorded on AWS (test_math_add): each operand is rounded half up, the
	// way Java's Math.round does, before the addition.
	for _, r := range []struct{ a, b, want string }{
		{"-9", "3", "-6"}, {"1.49", "1.5", "3"}, {"1.5", "1.51", "4"}, {"-1.49", "-1.5", "-2"},
		{"-1.5", "-1.51", "-3"}, {"1.49", "0", "1"}, {"1.49", "-1.49", "0"}, {"1.5", "0", "2"},
		{"1.51", "0", "2"}, {"-1.49", "0", "-1"}, {"-1.5", "0", "-1"}, {"-1.51", "0", "-2"},
		{"0.5", "0", "1"}, {"2.5", "0", "3"}, {"3.5", "0", "4"}, {"-0.5", "0.5", "1"},
		{"-0.5", "0", "0"}, {"-2.5", "0", "-2"}, {"-3.5", "0", "-3"},
	} {
		cases = append(cases, evalCase{
			name:  "recorded " + r.a + " + " + r.b,
			expr:  "States.MathAdd($.a, $.b)",
			input: `{"a":` + r.a + `,"b":` + r.b + `}`,
			want:  r.want,
		})
	}
	runEvalCases(t, cases)
}

func TestMathRandom(t *testing.T) {
	inv := "Invalid arguments in States.MathRandom"
	runEvalCases(t, []evalCase{
		// docEnv's Rand returns lo, so these show the bounds passed to Rand.
		{name: "doc", expr: "States.MathRandom($.start, $.end)", input: `{"start":1,"end":999}`, want: `1`},
		{name: "recorded negative bounds", expr: "States.MathRandom($.a, $.b)", input: `{"a":-99999,"b":-9999}`, want: `-99999`},
		{name: "recorded fractional bounds truncate", expr: "States.MathRandom($.a, $.b)", input: `{"a":12.5,"b":44.51}`, want: `12`},
		{name: "observed identical bounds", expr: "States.MathRandom(1, 1)", cause: inv},
		{name: "observed reversed bounds", expr: "States.MathRandom(10, 5)", cause: inv},
		{name: "observed bounds truncate together", expr: "States.MathRandom(1.4, 1.6)", cause: inv},
		{name: "observed string start", expr: "States.MathRandom('a', 10)", cause: inv},
		{name: "observed string seed", expr: "States.MathRandom(1, 10, 'seed')", cause: inv},
		{name: "observed null seed", expr: "States.MathRandom(1, 10, null)", cause: inv},
		{name: "one argument", expr: "States.MathRandom(1)", cause: inv},
		{name: "four arguments", expr: "States.MathRandom(1, 10, 5, 99)", cause: inv},
		// new java.util.Random(42).nextInt() is -1170105035, so nextInt(10) is
		// 0 and nextInt(16) is 11: the seeded path matches Java's generator.
		{name: "seed 42 bound 10", expr: "States.MathRandom(0, 10, 42)", want: `0`},
		{name: "seed 42 bound 16", expr: "States.MathRandom(100, 116, 42)", want: `111`},
	})
}

// TestMathRandomBounds checks the half-open interval handed to Env.Rand.
func TestMathRandomBounds(t *testing.T) {
	tests := []struct {
		expr   string
		lo, hi int64
	}{
		{"States.MathRandom(1, 999)", 1, 998},
		{"States.MathRandom(1.6, 5.4)", 1, 4},
		{"States.MathRandom(-1000000, 1000000)", -1000000, 999999},
		{"States.MathRandom(2147483640, 2147483647)", 2147483640, 2147483646},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			var got [2]int64
			env := Env{Rand: func(lo, hi int64) int64 { got = [2]int64{lo, hi}; return hi }}
			v, err := mustParse(t, tc.expr).Eval(env)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([2]int64{tc.lo, tc.hi}, got); diff != "" {
				t.Errorf("Rand bounds (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(any(intNumber(tc.hi)), v); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMathRandomSeeded checks that a seed makes the value deterministic and
// in range without consulting Env.Rand.
func TestMathRandomSeeded(t *testing.T) {
	env := Env{Rand: func(int64, int64) int64 { t.Fatal("Rand called for a seeded call"); return 0 }}
	for _, seed := range []string{"0", "3", "-10", "42", "2.6", "9007199254740993"} {
		call := mustParse(t, "States.MathRandom(0, 999, "+seed+")")
		first, err := call.Eval(env)
		if err != nil {
			t.Fatalf("seed %s: %v", seed, err)
		}
		again, _ := call.Eval(env)
		if diff := cmp.Diff(first, again); diff != "" {
			t.Errorf("seed %s not deterministic:\n%s", seed, diff)
		}
		n, _ := asNumber(first)
		if !n.isInt || n.i < 0 || n.i >= 999 {
			t.Errorf("seed %s: %v outside [0, 999)", seed, first)
		}
	}
}

func mustParse(t testing.TB, expr string) *Call {
	t.Helper()
	c, err := Parse(expr)
	if err != nil {
		t.Fatalf("Parse(%q): %v", expr, err)
	}
	return c
}
