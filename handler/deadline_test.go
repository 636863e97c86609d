package handler_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lambdakit/lambdakit/handler"
)

func TestDeadlineMargin(t *testing.T) {
	const margin = 200 * time.Millisecond
	const budget = time.Hour
	tests := []struct {
		name string
		// ctx returns the invocation context.
		ctx func() (context.Context, context.CancelFunc)
		// wantLeft is the time the handler should see, within tolerance; 0 means
		// the handler must not run.
		wantLeft time.Duration
	}{
		{
			name: "real deadline, margin taken off",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 5*time.Second)
			},
			wantLeft: 5*time.Second - margin,
		},
		{
			name:     "no deadline gets the default budget",
			ctx:      func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			wantLeft: budget - margin,
		},
		{
			name: "zero deadline (1970) gets the default budget",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithDeadline(context.Background(), time.Unix(0, 0))
			},
			wantLeft: budget - margin,
		},
		{
			name: "margin larger than the time left",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), margin/2)
			},
			wantLeft: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			var left time.Duration
			h := handler.Chain(func(ctx context.Context, _ []byte) ([]byte, error) {
				called = true
				var ok bool
				left, ok = handler.Remaining(ctx)
				if !ok {
					t.Error("Remaining reports no deadline inside DeadlineMargin")
				}
				return nil, ctx.Err()
			}, handler.DeadlineMargin(margin, handler.WithDefaultBudget(budget)))
			ctx, cancel := tt.ctx()
			defer cancel()
			_, err := h(ctx, nil)
			if tt.wantLeft == 0 {
				var de *handler.DeadlineError
				if called || !errors.As(err, &de) {
					t.Fatalf("called=%v err=%v; want the handler skipped with a *handler.DeadlineError", called, err)
				}
				if de.Margin != margin || de.Remaining > margin {
					t.Errorf("DeadlineError = %+v", de)
				}
				return
			}
			if err != nil {
				t.Fatalf("handler saw %v", err)
			}
			if d := tt.wantLeft - left; d < 0 || d > time.Second {
				t.Errorf("handler saw %s left, want about %s", left, tt.wantLeft)
			}
		})
	}
}

func TestDeadlineMarginExpiresBeforeTheInvocation(t *testing.T) {
	const margin = 50 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	var handlerDone time.Time
	h := handler.Chain(func(ctx context.Context, _ []byte) ([]byte, error) {
		<-ctx.Done()
		handlerDone = time.Now()
		return nil, ctx.Err()
	}, handler.DeadlineMargin(margin))
	_, err := h(ctx, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if ctx.Err() != nil {
		t.Errorf("the handler's context expired only when the invocation's did")
	}
	outer, _ := ctx.Deadline()
	if gap := outer.Sub(handlerDone); gap < margin/2 {
		t.Errorf("handler's context expired %s before the invocation deadline, want about %s", gap, margin)
	}
}

func TestDeadlineMarginPropagatesCancellation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	h := handler.Chain(func(ctx context.Context, _ []byte) ([]byte, error) {
		cancel()
		<-ctx.Done()
		return nil, ctx.Err()
	}, handler.DeadlineMargin(time.Second))
	if _, err := h(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestRemaining(t *testing.T) {
	if _, ok := handler.Remaining(context.Background()); ok {
		t.Error("Remaining(Background) ok = true")
	}
	ctx, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel()
	if _, ok := handler.Remaining(ctx); ok {
		t.Error("Remaining with a 1970 deadline ok = true")
	}
	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if d, ok := handler.Remaining(ctx); !ok || d >= 0 {
		t.Errorf("Remaining past a real deadline = %s, %v; want a negative value, true", d, ok)
	}
}
