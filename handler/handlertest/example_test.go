package handlertest_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/lambdakit/lambdakit/handler"
	"github.com/lambdakit/lambdakit/handler/handlertest"
)

// Example checks what a handler recorded on its span.
func Example() {
	var tr handlertest.Tracer
	h := handler.New(func(ctx context.Context, n int) (int, error) {
		handler.Annotate(ctx, "orders", n)
		if n < 0 {
			return 0, errors.New("negative")
		}
		return n * 2, nil
	}, handler.Defaults(handler.WithTracer(&tr), handler.WithLogger(slog.New(slog.DiscardHandler)))...)
	_, _ = h.Invoke(context.Background(), []byte(`3`))
	_, _ = h.Invoke(context.Background(), []byte(`-1`))

	for _, s := range tr.Spans() {
		fmt.Println(s.Annotations["orders"], s.Invocation.ColdStart, s.Ended, s.Err)
	}
	// Output:
	// 3 true true <nil>
	// -1 false true negative
}
