package jsonpath

import (
	"fmt"
	"strings"
	"testing"
)

func BenchmarkGet(b *testing.B) {
	var items []string
	for i := range 100 {
		items = append(items, fmt.Sprintf(`{"id":%d,"price":%d.5,"tags":["t%d"]}`, i, i%20, i))
	}
	doc := decode(b, `{"order":{"customer":{"address":{"city":"Berlin"}}},"items":[`+strings.Join(items, ",")+`]}`)
	for _, bm := range []struct{ name, path string }{
		{"simple", "$.order.customer.address.city"},
		{"index", "$.items[42].tags[0]"},
		{"filter", "$.items[?(@.price < 10)].id"},
		{"scan", "$..city"},
	} {
		p := mustParse(b, bm.path)
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Get(doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("$.items[?(@.price < 10 && @.tags[0] == 't1')].id"); err != nil {
			b.Fatal(err)
		}
	}
}
