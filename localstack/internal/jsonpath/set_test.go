package jsonpath

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func jsonNumber(s string) json.Number { return json.Number(s) }

func TestSet(t *testing.T) {
	tests := []struct {
		name  string
		path  string
		doc   string
		value string
		want  string // "" when Set must fail with *SetError
	}{
		// AWS "Specifying state output using ResultPath": "$" (the default)
		// replaces the input with the result...
		{name: "root replaces", path: "$", doc: `{"comment":"x"}`, value: `"Hello, Step Functions!"`, want: `"Hello, Step Functions!"`},
		// ...and "$.taskresult" adds the result to the input.
		{name: "adds a field", path: "$.taskresult", doc: `{"comment":"x"}`, value: `"Hello"`, want: `{"comment":"x","taskresult":"Hello"}`},
		{name: "replaces a field", path: "$.a", doc: `{"a":1,"b":2}`, value: `{"c":3}`, want: `{"a":{"c":3},"b":2}`},
		// States Language spec, ResultPath: "intervening fields constructed as
		// necessary".
		{name: "creates intermediate objects", path: "$.a.b.c", doc: `{"x":1}`, value: `true`, want: `{"x":1,"a":{"b":{"c":true}}}`},
		{name: "extends an existing object", path: "$.a.b", doc: `{"a":{"c":1}}`, value: `2`, want: `{"a":{"c":1,"b":2}}`},
		{name: "bracket names", path: "$['a b']['c-d']", doc: `{}`, value: `1`, want: `{"a b":{"c-d":1}}`},
		{name: "null value", path: "$.a", doc: `{}`, value: `null`, want: `{"a":null}`},
		{name: "replaces an array element", path: "$.a[1]", doc: `{"a":[1,2,3]}`, value: `"x"`, want: `{"a":[1,"x",3]}`},
		{name: "into an array element", path: "$.a[0].b", doc: `{"a":[{"c":1}]}`, value: `2`, want: `{"a":[{"c":1,"b":2}]}`},
		{name: "context path", path: "$$.a", doc: `{}`, value: `1`, want: `{"a":1}`},
		// A path that walks into a value that cannot hold the next step fails
		// (States.ReferencePathConflict on AWS, per fakecloud-stepfunctions'
		// apply_result_path documentation).
		{name: "field of a string", path: "$.a.b", doc: `{"a":"x"}`, value: `1`},
		{name: "field of null", path: "$.a.b", doc: `{"a":null}`, value: `1`},
		{name: "field of an array", path: "$.a.b", doc: `{"a":[]}`, value: `1`},
		{name: "field of a scalar root", path: "$.a", doc: `"x"`, value: `1`},
		{name: "index of an object", path: "$.a[0]", doc: `{"a":{}}`, value: `1`},
		{name: "index out of range", path: "$.a[3]", doc: `{"a":[1,2,3]}`, value: `1`},
		{name: "negative index", path: "$.a[-1]", doc: `{"a":[1,2,3]}`, value: `1`},
		{name: "index of a missing field", path: "$.a[0]", doc: `{}`, value: `1`},
		{name: "not a reference path: wildcard", path: "$.a[*]", doc: `{"a":[1]}`, value: `1`},
		{name: "not a reference path: filter", path: "$.a[?(@.b)]", doc: `{"a":[]}`, value: `1`},
		{name: "not a reference path: scan", path: "$..a", doc: `{}`, value: `1`},
		{name: "not a reference path: names", path: "$['a','b']", doc: `{}`, value: `1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, tt.path)
			doc := decode(t, tt.doc)
			before := decode(t, tt.doc)
			got, err := p.Set(doc, decode(t, tt.value))
			if diff := cmp.Diff(before, doc); diff != "" {
				t.Errorf("Set modified its input (-before +after):\n%s", diff)
			}
			if tt.want == "" {
				var se *SetError
				if !errors.As(err, &se) || se.Path != tt.path {
					t.Fatalf("Set = %v, %v; want *SetError for %q", got, err, tt.path)
				}
				return
			}
			if err != nil {
				t.Fatalf("Set: %v", err)
			}
			if diff := cmp.Diff(decode(t, tt.want), got); diff != "" {
				t.Errorf("Set mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSetSharesUntouchedParts(t *testing.T) {
	doc := decode(t, `{"keep":{"x":1},"a":{"b":1}}`).(map[string]any)
	got, err := mustParse(t, "$.a.b").Set(doc, "new")
	if err != nil {
		t.Fatal(err)
	}
	out := got.(map[string]any)
	out["keep"].(map[string]any)["y"] = 2 // Untouched subtrees are shared, not copied.
	if _, ok := doc["keep"].(map[string]any)["y"]; !ok {
		t.Error("untouched subtree was copied")
	}
	if doc["a"].(map[string]any)["b"] != jsonNumber("1") {
		t.Error("input was modified along the path")
	}
}
