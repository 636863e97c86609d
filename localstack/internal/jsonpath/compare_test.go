package jsonpath

import "testing"

func TestCompareNumbers(t *testing.T) {
	// Jayway 2.0.0 compares numbers with BigDecimal.compareTo.
	tests := []struct {
		a, b string
		want int
	}{
		{"1", "1.0", 0},
		{"1e2", "100", 0},
		{"0.1", ".1", 0},
		{"0.001", "1e-3", 0},
		{"123.45", "123.450", 0},
		{"-0", "0", 0},
		{"0.000", "0e5", 0},
		{"+5", "5", 0},
		{"5.", "5", 0},
		{"10E-1", "1", 0},
		{"-1", "1", -1},
		{"10", "9", 1},
		{"100", "1e3", -1},
		{"1.5", "1.25", 1},
		{"-1.5", "-1.25", -1},
		{"1000000000000000000001", "1000000000000000000000", 1},
		{"0.30000000000000004", "0.3", 1},
		{"120", "12", 1},
		{"102", "12", 1},
		{"0.012", "0.12", -1},
	}
	for _, tt := range tests {
		got, ok, err := compareNumbers(tt.a, tt.b)
		if !ok || err != nil || got != tt.want {
			t.Errorf("compareNumbers(%q, %q) = %d, %v, %v; want %d", tt.a, tt.b, got, ok, err, tt.want)
		}
		if back, _, _ := compareNumbers(tt.b, tt.a); back != -tt.want {
			t.Errorf("compareNumbers(%q, %q) = %d; want %d", tt.b, tt.a, back, -tt.want)
		}
	}
	for _, bad := range []string{"", "-", ".", "1e", "1e+", "abc", "1.2.3", " 1", "1 ", "1e99999999999", "0x10", "--1", "1_000"} {
		if _, ok, err := compareNumbers(bad, "1"); ok || err == nil || err.kind != invalid {
			t.Errorf("compareNumbers(%q, 1) = %v, %v; want a NumberFormatException", bad, ok, err)
		}
	}
}

func TestCompareUTF16(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"a", "a", 0},
		{"a", "b", -1},
		{"ab", "a", 1},
		{"", "a", -1},
		{"é", "z", 1},
		// U+1D11E is D834 DD1E in UTF-16, below U+FFFF; in UTF-8 it is above.
		{"\U0001D11E", "\uFFFF", -1},
		{"\U0001D11E", "\U0001D11F", -1},
		{"\U0001F600", "\U0001D11E", 1},
	}
	for _, tt := range tests {
		if got := compareUTF16(tt.a, tt.b); got != tt.want {
			t.Errorf("compareUTF16(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
