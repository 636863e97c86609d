package handler

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunShutdownIsBounded(t *testing.T) {
	var ran atomic.Int32
	hooks := []func(context.Context){
		func(context.Context) { ran.Add(1) },
		func(ctx context.Context) { <-ctx.Done(); ran.Add(1) }, // a hook that would hang without the budget
	}
	start := time.Now()
	runShutdown(context.Background(), 50*time.Millisecond, hooks)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("runShutdown took %s with a 50ms budget", took)
	}
	if ran.Load() < 1 {
		t.Errorf("the quick hook did not run")
	}
	if OnShutdown(hooks...) == nil {
		t.Error("OnShutdown returned a nil option")
	}
}
