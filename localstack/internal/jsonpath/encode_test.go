package jsonpath

import (
	"encoding/json"
	"testing"
)

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"html characters stay", "<a href='x'>&</a>", `"<a href='x'>&</a>"`},
		{"slash and unicode stay", "a/b é \u2028", "\"a/b é \u2028\""},
		{"short escapes", "\b\f\n\r\t\"\\", `"\b\f\n\r\t\"\\"`},
		{"other controls in upper-case hex", "\x01\x1f", `"\u0001\u001F"`},
		{"numbers keep their text", map[string]any{"n": json.Number("1.50"), "i": json.Number("12345678901234567890")}, `{"i":12345678901234567890,"n":1.50}`},
		{"nested and sorted", map[string]any{"b": []any{true, nil}, "a": map[string]any{}}, `{"a":{},"b":[true,null]}`},
		{"a Go value outside the data model", struct{ X int }{1}, `{"X":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Encode(tt.v); got != tt.want {
				t.Errorf("Encode = %s, want %s", got, tt.want)
			}
		})
	}
}
