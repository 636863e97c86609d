package jsonpath

import (
	"errors"
	"testing"
)

func TestParseClassifies(t *testing.T) {
	tests := []struct {
		path                string
		definite, reference bool
		context             bool
	}{
		{path: "$", definite: true, reference: true},
		{path: "$.a.b", definite: true, reference: true},
		{path: "$['a b'][0]", definite: true, reference: true},
		{path: "$.a[0].b", definite: true, reference: true},
		{path: "$.abc.['def ghi']", definite: true, reference: true},
		// Jayway's ArrayIndexOperation: a single index is definite whatever its
		// sign; the States Language forbids only '@', ',', ':', '?' (AWS paths
		// doc), so it is a reference path too. It fails when evaluated.
		{path: "$.a[-1]", definite: true, reference: true},
		// Jayway's PropertyPathToken is definite with several names (merged).
		{path: "$['a','b']", definite: true, reference: false},
		{path: "$.a[(@.length-1)]", definite: true, reference: false},
		{path: "$.a[*]", definite: false, reference: false},
		{path: "$.*", definite: false, reference: false},
		{path: "$.a[0,1]", definite: false, reference: false},
		{path: "$.a[1:]", definite: false, reference: false},
		{path: "$..a", definite: false, reference: false},
		{path: "$.a[?(@.b)]", definite: false, reference: false},
		{path: "$.a[*].b", definite: false, reference: false},
		// "$$" addresses the context object (spec "Paths"); ItemsPath may be
		// "$$.Execution.Input", so context paths can be reference paths.
		{path: "$$", definite: true, reference: true, context: true},
		{path: "$$.Execution.Input", definite: true, reference: true, context: true},
		{path: "$$.Map.Item.Value[*]", definite: false, reference: false, context: true},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p := mustParse(t, tt.path)
			if p.String() != tt.path {
				t.Errorf("String() = %q", p.String())
			}
			if p.IsDefinite() != tt.definite {
				t.Errorf("IsDefinite() = %v, want %v", p.IsDefinite(), tt.definite)
			}
			if p.IsReference() != tt.reference {
				t.Errorf("IsReference() = %v, want %v", p.IsReference(), tt.reference)
			}
			if p.Context() != tt.context {
				t.Errorf("Context() = %v, want %v", p.Context(), tt.context)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	for _, path := range []string{
		"$.a.b", "$[0]", "$['a']['b']", "$.['a']", "$..['a']", "$..*", "$..[0]", "$.*.a", "$[*][*]",
		"$.a[ 1 ]", "$.a[1,2,3]", "$.a[-2:]", "$.a[:-1]", "$.a[1:3]", "$.a[(@.length-1)]", "$.a[(@.size() - 2)]",
		"$.a[@.length-1]", "$[?(@.a)]", "$[?(!@.a)]", "$[?(@.a == 'x' && @.b != 2 || @.c)]", "$[?(@['a b'] > 1)]",
		"$[?(@.a[0] == $.b)]", "$[?(@.a =~ /x+/i)]", "$[?(@ == 1)]", "$.a[?(@.b == 1)][0]", "$.a-b", "$.a(b)",
		"$.日本", " $.a ", "$$.Task.Token",
	} {
		if _, err := Parse(path); err != nil {
			t.Errorf("Parse(%q): %v", path, err)
		}
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		path   string
		offset int
	}{
		{"", 0},
		{"   ", 0},
		{"a.b", 0}, // AWS paths start with '$'; Jayway alone would prefix "$.".
		{"@.a", 0},
		{"$a", 1},
		{"$$$", 2},
		{"$.", 2},
		{"$..", 3},
		{"$.a.", 4},
		{"$.a..", 5},
		{"$...a", 3},
		{"$.a b", 3},
		{"$. a", 2},
		{"$['a']b", 6},
		{"$[", 1},
		{"$['a'", 1},
		{"$['a]", 2},
		{"$['a' 'b']", 6},
		{"$['a',]", 6},
		{`$["a"]`, 2}, // Jayway 2.0.0 reads only single-quoted names.
		{"$[a]", 2},
		{"$[]", 2},
		{"$[ * ]", 3},
		{"$[:]", 2},
		{"$[1:2:3]", 2},
		{"$[1,]", 4},
		{"$[1 2]", 2},
		{"$[--1]", 2},
		{"$[2147483648]", 2},
		{"$[0x1]", 2},
		{"$[(@.length+1)]", 2},
		{"$[(@.foo-1)]", 2},
		{"$[(@.length-)]", 2},
		{"$[?]", 1},
		{"$[?(@.a)", 1},
		{"$[?@.a]", 1},
		{"$[?()]", 4},
		{"$[?(@.a &&)]", 10},
		{"$[?(|| @.a)]", 4},
		{"$[?('x')]", 4},
		{"$[?(x)]", 4},
		{"$[?(@.a[*] == 1)]", 4},
		{"$[?(@..a)]", 4},
		{"$[?(@.a == !@.b)]", 11},
		{"$[?(@.a =~ /a{2,1}/)]", 11},
		{"$[?(@.a == $$.b)]", 12},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p, err := Parse(tt.path)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, %v; want *SyntaxError", tt.path, p, err)
			}
			if se.Expr != tt.path || se.Offset != tt.offset {
				t.Errorf("SyntaxError = %+v; want Expr %q, Offset %d", se, tt.path, tt.offset)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	v, err := Decode([]byte(` {"n": 1.50, "l": [true, null]} `))
	if err != nil {
		t.Fatal(err)
	}
	n := v.(map[string]any)["n"]
	if n != any(jsonNumber("1.50")) {
		t.Errorf("n = %#v, want json.Number(\"1.50\")", n)
	}
	for _, in := range []string{`{} {}`, `1 x`, `[1]]`} {
		if _, err := Decode([]byte(in)); !errors.Is(err, ErrTrailingData) {
			t.Errorf("Decode(%q) = %v, want ErrTrailingData", in, err)
		}
	}
	for _, in := range []string{``, `{`, `nul`} {
		if _, err := Decode([]byte(in)); err == nil || errors.Is(err, ErrTrailingData) {
			t.Errorf("Decode(%q) = %v, want a syntax error", in, err)
		}
	}
}
