package intrinsic

import (
	"strconv"
	"testing"
)

func BenchmarkFormat(b *testing.B) {
	call := mustParse(b, "States.Format('Hello, {}! You have {} new messages in {}.', $.name, $.count, $.box)")
	env := docEnv(decode(b, `{"name":"Arnav","count":42,"box":{"id":"inbox","tags":["a","b"]}}`), nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := call.Eval(env); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJsonMerge(b *testing.B) {
	left, right := map[string]any{}, map[string]any{}
	for i := range 50 {
		left["k"+strconv.Itoa(i)] = strconv.Itoa(i)
		right["k"+strconv.Itoa(i+25)] = map[string]any{"v": strconv.Itoa(i)}
	}
	call := mustParse(b, "States.JsonMerge($.a, $.b, false)")
	env := docEnv(map[string]any{"a": left, "b": right}, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := call.Eval(env); err != nil {
			b.Fatal(err)
		}
	}
}
