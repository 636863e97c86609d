package jsonata

import (
	"encoding/json"
	"math"
	"testing"
)

// TestJSNumber checks the rendering against values of ECMAScript's
// Number.prototype.toString (JSON.stringify).
func TestJSNumber(t *testing.T) {
	tests := []struct {
		in   float64
		want json.Number
	}{
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{3, "3"},
		{-42, "-42"},
		{0.1, "0.1"},
		{0.30000000000000004, "0.30000000000000004"},
		{1.5, "1.5"},
		{123456789.125, "123456789.125"},
		{1e20, "100000000000000000000"},
		{1e21, "1e+21"},
		{1.5e21, "1.5e+21"},
		{-1e21, "-1e+21"},
		{1e-6, "0.000001"},
		{1.5e-6, "0.0000015"},
		{1e-7, "1e-7"},
		{1.25e-7, "1.25e-7"},
		{9007199254740993, "9007199254740992"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{5e-324, "5e-324"},
	}
	for _, tc := range tests {
		if got := jsNumber(tc.in); got != tc.want {
			t.Errorf("jsNumber(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
