package jsonata

import (
	"context"
	"testing"
)

func BenchmarkEval(b *testing.B) {
	e := mustCompile(b, "{'total': $sum($states.input.items.(price * qty)), 'n': $count($states.input.items), 'v': $v}")
	input := decode(b, `{"items":[{"price":10,"qty":3},{"price":0.5,"qty":10},{"price":100,"qty":1}]}`)
	vars := map[string]any{"states": map[string]any{"input": input}, "v": "x"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := e.Eval(ctx, input, vars); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile("{'total': $sum($states.input.items.(price * qty))}"); err != nil {
			b.Fatal(err)
		}
	}
}
