package iterator_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/lambdakit/lambdakit/iterator"
)

// Example sums 1..10, one number per step, with the checkpoint in memory. A
// local context has no deadline, so the invocation gets WithBudget; in Lambda
// the function's deadline decides how many steps each invocation runs, and
// the state machine loops until IsCompleted. Invoking the completed key again
// returns its result without running the step.
func Example() {
	type sum struct {
		Next  int `json:"next"`
		Total int `json:"total"`
	}
	it := iterator.New(iterator.NewMemoryStore(),
		func(ctx context.Context, s *sum) (done bool, err error) {
			s.Next++
			s.Total += s.Next
			return s.Next == 10, nil
		},
		iterator.WithBudget(time.Minute),
		iterator.WithResult(func(s sum) any { return s.Total }),
		iterator.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
	)
	for range 2 {
		out, err := it.Run(context.Background(), "job-1")
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("IsCompleted=%v steps=%d of %d invocations=%d result=%s\n",
			out.IsCompleted, out.InvocationIterations, out.Iterations, out.Invocations, out.Result)
	}
	// Output:
	// IsCompleted=true steps=10 of 10 invocations=1 result=55
	// IsCompleted=true steps=0 of 10 invocations=1 result=55
}

// ExampleIterator_Handler shows the JSON a state machine's Choice state tests.
func ExampleIterator_Handler() {
	it := iterator.New(iterator.NewMemoryStore(),
		func(ctx context.Context, n *int) (bool, error) { *n++; return *n == 3, nil },
		iterator.WithBudget(time.Minute),
		iterator.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
	)
	out, err := it.Handler()(context.Background(), []byte(`{"Key":"job-7"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(out))
	// Output:
	// {"Key":"job-7","IsCompleted":true,"ContinueAsNew":false,"Iterations":3,"InvocationIterations":3,"Invocations":1}
}
