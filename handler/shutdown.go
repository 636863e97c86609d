package handler

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

// ShutdownBudget is the time [OnShutdown] gives its hooks. Lambda sends
// SIGKILL about 500 ms after SIGTERM; the rest is headroom.
const ShutdownBudget = 400 * time.Millisecond

// OnShutdown returns an aws-lambda-go option, for [Start], that enables
// SIGTERM in Lambda and runs hooks when it arrives: flushing a tracer or
// metrics exporter, say. The hooks run concurrently with a context that
// expires after [ShutdownBudget]; OnShutdown waits for them no longer than that.
func OnShutdown(hooks ...func(ctx context.Context)) lambda.Option {
	return lambda.WithEnableSIGTERM(func() { runShutdown(context.Background(), ShutdownBudget, hooks) })
}

func runShutdown(ctx context.Context, budget time.Duration, hooks []func(context.Context)) {
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	var wg sync.WaitGroup
	for _, h := range hooks {
		wg.Go(func() { h(ctx) })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
