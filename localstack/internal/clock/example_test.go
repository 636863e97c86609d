package clock_test

import (
	"context"
	"fmt"
	"time"

	"github.com/lambdakit/lambdakit/localstack/internal/clock"
)

func ExampleVirtual() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	v := clock.NewVirtual(start)
	done := v.Busy() // the caller's work; Sleep gives it up while it waits
	defer done()
	_ = v.Sleep(context.Background(), 24*time.Hour)
	fmt.Println(v.Now().Sub(start))
	// Output: 24h0m0s
}
