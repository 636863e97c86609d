package esm

import (
	"context"
	"testing"
)

// RunInTest runs m in the background for the rest of tb. When tb ends, its
// cleanup stops m the way a cancelled [Mapping.Run] stops (invocations in
// flight finish and are settled, nothing unsettled is deleted) and fails tb
// if Run returned an error. It is for tests; a program calls Run itself.
func RunInTest(tb testing.TB, m *Mapping) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("esm: %v", err)
		}
	})
}
