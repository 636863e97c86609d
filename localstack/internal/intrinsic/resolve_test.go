package intrinsic

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResolveFailures(t *testing.T) {
	missing := errors.New("The JsonPath argument for the field '$.missing' could not be found in the input '{}'")
	custom := &Error{Name: "States.ParameterPathFailure", Cause: "custom cause"}
	tests := []struct {
		name      string
		expr      string
		resolve   func(string) (any, error)
		wantName  string
		wantCause string
		wantErr   error
	}{
		{
			name:      "observed missing path",
			expr:      "States.Base64Encode($.missing)",
			resolve:   func(string) (any, error) { return nil, missing },
			wantName:  StatesRuntime,
			wantCause: "There was an error while evaluating the intrinsic function: States.Base64Encode($.missing). The JsonPath argument for the field '$.missing' could not be found in the input '{}'",
			wantErr:   missing,
		},
		{
			name:      "Resolve *Error keeps its name",
			expr:      "States.Array(States.JsonToString($.x))",
			resolve:   func(string) (any, error) { return nil, custom },
			wantName:  "States.ParameterPathFailure",
			wantCause: "There was an error while evaluating the intrinsic function: States.JsonToString($.x). custom cause",
			wantErr:   custom,
		},
		{
			name:      "no Resolve",
			expr:      "States.JsonToString($.x)",
			wantName:  StatesRuntime,
			wantCause: "There was an error while evaluating the intrinsic function: States.JsonToString($.x). The JsonPath argument for the field '$.x' could not be resolved: no Resolve function",
		},
		{
			name:      "not a JSON value",
			expr:      "States.JsonToString($.x)",
			resolve:   func(string) (any, error) { return struct{}{}, nil },
			wantName:  StatesRuntime,
			wantCause: "There was an error while evaluating the intrinsic function: States.JsonToString($.x). The JsonPath argument for the field '$.x' is not a JSON value",
		},
		{
			name:      "invalid arguments",
			expr:      "States.ArrayLength($.x)",
			resolve:   func(string) (any, error) { return "x", nil },
			wantName:  StatesRuntime,
			wantCause: "There was an error while evaluating the intrinsic function: States.ArrayLength($.x). Invalid arguments in States.ArrayLength",
			wantErr:   ErrInvalidArguments,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mustParse(t, tc.expr).Eval(Env{Resolve: tc.resolve})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Eval error %v is not an *Error", err)
			}
			if diff := cmp.Diff([]string{tc.wantName, tc.wantCause}, []string{e.Name, e.Cause}); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.wantErr)
			}
			if got, want := e.Error(), e.Name+": "+e.Cause; got != want {
				t.Errorf("Error() = %q, want %q", got, want)
			}
		})
	}
}

// TestResolveNormalizes checks that Go numbers from a careless Resolve come
// back as json.Number and that the input is not modified.
func TestResolveNormalizes(t *testing.T) {
	in := map[string]any{"f": 1.5, "i": 3, "n": []any{2.0, json.Number("7")}}
	got, err := mustParse(t, "States.Array($.x)").Eval(Env{Resolve: func(string) (any, error) { return in, nil }})
	if err != nil {
		t.Fatal(err)
	}
	want := []any{map[string]any{"f": json.Number("1.5"), "i": json.Number("3"), "n": []any{json.Number("2"), json.Number("7")}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, ok := in["f"].(float64); !ok {
		t.Errorf("input was modified: %v", in)
	}
}

func TestDefaultUUID(t *testing.T) {
	v, err := mustParse(t, "States.UUID()").Eval(Env{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := v.(string)
	if len(s) != 36 || s[14] != '4' || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' || !(s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b') {
		t.Errorf("States.UUID() = %q, not a v4 UUID", s)
	}
}

func TestDefaultRand(t *testing.T) {
	call := mustParse(t, "States.MathRandom(-2, 3)")
	for range 200 {
		v, err := call.Eval(Env{})
		if err != nil {
			t.Fatal(err)
		}
		n, _ := asNumber(v)
		if !n.isInt || n.i < -2 || n.i >= 3 {
			t.Fatalf("MathRandom(-2, 3) = %v", v)
		}
	}
}
