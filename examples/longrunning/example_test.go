package longrunning_test

import (
	"context"
	"fmt"
	"time"

	"github.com/lambdakit/lambdakit/examples/longrunning"
	"github.com/lambdakit/lambdakit/iterator"
)

// Each Run is one invocation: with 300ms per invocation and 20ms per
// record, a job of 40 records needs several, each resuming from the
// checkpoint in the store.
func ExampleIterate() {
	f := longrunning.NewIterateWith(iterator.NewMemoryStore(), iterator.WithMargin(100*time.Millisecond))
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		out, err := f.Run(ctx, longrunning.IterateInput{JobID: "job-1", TotalItems: 40})
		cancel()
		if err != nil {
			fmt.Println(err)
			return
		}
		if out.IsCompleted {
			fmt.Printf("done after %d records, more than one invocation: %t\n", out.Iterations, out.Invocations > 1)
			return
		}
	}
	// Output: done after 40 records, more than one invocation: true
}
