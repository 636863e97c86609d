package handler

import (
	"context"
	"sync/atomic"
)

// ColdStart marks the first invocation through the returned middleware as a
// cold start, readable with [IsColdStart]. Each call to ColdStart has its own
// flag, so use one per handler. Warm invocations cost an atomic load and no
// allocation.
func ColdStart() Middleware {
	var warm atomic.Bool
	return func(next HandlerFunc) HandlerFunc {
		return func(ctx context.Context, payload []byte) ([]byte, error) {
			if !warm.Load() && warm.CompareAndSwap(false, true) {
				ctx = context.WithValue(ctx, coldStartKey{}, true)
			}
			return next(ctx, payload)
		}
	}
}
