package fanout_test

import (
	"context"
	"fmt"

	"github.com/lambdakit/lambdakit/examples/fanout"
)

func ExampleProcessItem() {
	r, err := fanout.ProcessItem(context.Background(), fanout.Task{BatchID: "b", Index: 0, Item: fanout.Item{ID: "item-01", Kind: "light", Weight: 3}})
	fmt.Println(r.ID, r.Value, r.ProcessedBy, err)
	// Output: item-01 14 ProcessItem <nil>
}
