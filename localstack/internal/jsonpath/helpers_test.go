package jsonpath

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func decode(t testing.TB, s string) any {
	t.Helper()
	v, err := Decode([]byte(s))
	if err != nil {
		t.Fatalf("Decode(%q): %v", s, err)
	}
	return v
}

func mustParse(t testing.TB, s string) *Path {
	t.Helper()
	p, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return p
}

// getCase is one row of a Get table. want is the expected result as JSON;
// when noMatch is set Get must fail with *NoMatchError instead and, if
// detail is not empty, carry that Detail.
type getCase struct {
	name    string
	path    string
	doc     string
	want    string
	noMatch bool
	detail  string
}

func runGet(t *testing.T, tests []getCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, tt.path)
			doc := decode(t, tt.doc)
			got, err := p.Get(doc)
			if tt.noMatch {
				var nm *NoMatchError
				if !errors.As(err, &nm) {
					t.Fatalf("Get(%s) = %v, %v; want *NoMatchError", tt.path, got, err)
				}
				if nm.Path != tt.path {
					t.Errorf("NoMatchError.Path = %q, want %q", nm.Path, tt.path)
				}
				if tt.detail != "" && nm.Detail != tt.detail {
					t.Errorf("NoMatchError.Detail = %q, want %q", nm.Detail, tt.detail)
				}
				return
			}
			if err != nil {
				t.Fatalf("Get(%s): %v", tt.path, err)
			}
			if diff := cmp.Diff(decode(t, tt.want), got); diff != "" {
				t.Errorf("Get(%s) mismatch (-want +got):\n%s", tt.path, diff)
			}
		})
	}
}
