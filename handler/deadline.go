package handler

import (
	"context"
	"time"
)

// DeadlineMargin gives the rest of the chain a context that expires margin
// before the invocation's deadline, so the handler can stop, save its work and
// answer instead of being killed at the timeout.
//
// When the context has no real deadline (a local run; see [Deadline]), the
// invocation gets the default budget ([WithDefaultBudget], default
// [DefaultBudget]) from now, minus the margin, rather than a context that is
// already cancelled (the runtime's context with a 1970 deadline is already
// done; DeadlineMargin keeps its values and replaces its deadline). When no more than margin is left, the handler is not
// called and the invocation fails with a [*DeadlineError].
func DeadlineMargin(margin time.Duration, opts ...Option) Middleware {
	o := newOptions(opts)
	return func(next HandlerFunc) HandlerFunc {
		return func(ctx context.Context, payload []byte) ([]byte, error) {
			dl, ok := Deadline(ctx)
			if !ok {
				dl = time.Now().Add(o.defaultBudget)
				if _, bogus := ctx.Deadline(); bogus {
					// A zero or 1970 deadline has already expired the
					// runtime's context; keep its values, drop its
					// cancellation, or the handler could never run.
					ctx = context.WithoutCancel(ctx)
				}
			}
			if left := time.Until(dl); left <= margin {
				return nil, &DeadlineError{Remaining: left, Margin: margin}
			}
			ctx, cancel := context.WithDeadline(ctx, dl.Add(-margin))
			defer cancel()
			return next(ctx, payload)
		}
	}
}
