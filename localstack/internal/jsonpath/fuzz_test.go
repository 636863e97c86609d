package jsonpath

import (
	"errors"
	"testing"
)

var fuzzDocs = []string{
	`{"a":[{"b":1,"c":"x"},{"b":2},3,null,[4,5]],"d":{"e":{"a":true}},"n":null,"s":"str"}`,
	`[1,"1",{"a":{"a":[]}},[[]],null,true]`,
	`"scalar"`,
}

var fuzzPaths = []string{
	"$", "$.a", "$.a[0].b", "$['a','d']", "$.a[*].b", "$..a", "$..*", "$.a[1:]", "$.a[-2:]", "$.a[:1]",
	"$.a[(@.length-1)]", "$.a[?(@.b > 1)]", "$.a[?(@.c == 'x' || !@.b)]", "$..[?(@.a)]", "$$.d.e",
	"$.a[0,2]", "$[?(@.a =~ /x/i)].a", "$..[0].b", "$.a[?(@.b == $.n)]", "$.a[?(@.c == 'y')]",
}

// checkEval evaluates p against doc with Get and Set and checks that errors
// are of the documented types.
func checkEval(t *testing.T, p *Path, doc any) {
	if _, err := p.Get(doc); err != nil {
		var nm *NoMatchError
		if !errors.As(err, &nm) {
			t.Fatalf("Get(%q): %T %v is not a *NoMatchError", p, err, err)
		}
	}
	if _, err := p.Set(doc, "v"); err != nil {
		var se *SetError
		if !errors.As(err, &se) {
			t.Fatalf("Set(%q): %T %v is not a *SetError", p, err, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, p := range fuzzPaths {
		f.Add(p)
	}
	for _, p := range []string{"$[?(@.a && (@.b || @.c))]", "$['a\\'b']", "$[?(@.a == '\\'')]", "$[1:2:3]", "$.a..b"} {
		f.Add(p)
	}
	docs := make([]any, len(fuzzDocs))
	for i, d := range fuzzDocs {
		docs[i] = decode(f, d)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		p, err := Parse(expr)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Expr != expr || se.Offset < 0 || se.Offset > len(expr) {
				t.Fatalf("Parse(%q): %#v is not a valid *SyntaxError", expr, err)
			}
			return
		}
		if p.String() != expr {
			t.Fatalf("String() = %q, want %q", p.String(), expr)
		}
		if p.IsReference() && !p.IsDefinite() {
			t.Fatalf("%q is a reference path but not definite", expr)
		}
		for _, doc := range docs {
			checkEval(t, p, doc)
		}
	})
}

func FuzzGet(f *testing.F) {
	for _, p := range fuzzPaths {
		for _, d := range fuzzDocs {
			f.Add(p, d)
		}
	}
	f.Fuzz(func(t *testing.T, expr, data string) {
		p, err := Parse(expr)
		if err != nil {
			return
		}
		doc, err := Decode([]byte(data))
		if err != nil {
			return
		}
		checkEval(t, p, doc)
	})
}
