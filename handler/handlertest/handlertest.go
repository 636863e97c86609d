// Package handlertest provides test doubles for the handler package's hooks:
// a [Tracer] that records the spans the [handler.Tracing] middleware starts,
// so a test can assert what a handler (or lambdakit's batch, callback and
// iterator packages) recorded with [handler.Annotate].
package handlertest

import (
	"context"
	"maps"
	"sync"

	"github.com/lambdakit/lambdakit/handler"
)

// Tracer is a [handler.Tracer] that records every span it starts. Its zero
// value is ready to use, and it is safe for concurrent invocations.
type Tracer struct {
	mu    sync.Mutex
	spans []*Span
}

var _ handler.Tracer = (*Tracer)(nil)

// Span is one recorded span. Read it only after its invocation returned.
type Span struct {
	t *Tracer
	// Invocation is what the span was started for.
	Invocation handler.Invocation
	// Annotations holds every key annotated on the span, with its last value.
	Annotations map[string]any
	// Ended reports whether End was called, and Err is the error it got.
	Ended bool
	Err   error
}

// Start records a new span.
func (t *Tracer) Start(ctx context.Context, inv handler.Invocation) (context.Context, handler.Span) {
	s := &Span{t: t, Invocation: inv, Annotations: map[string]any{}}
	t.mu.Lock()
	t.spans = append(t.spans, s)
	t.mu.Unlock()
	return ctx, s
}

// Spans returns the spans started so far, in order.
func (t *Tracer) Spans() []*Span {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]*Span(nil), t.spans...)
}

// Annotations returns the annotations of every span started so far in one
// map; a key annotated on several spans has the value of the latest span.
func (t *Tracer) Annotations() map[string]any {
	t.mu.Lock()
	defer t.mu.Unlock()
	all := map[string]any{}
	for _, s := range t.spans {
		maps.Copy(all, s.Annotations)
	}
	return all
}

// Annotate records key=value.
func (s *Span) Annotate(key string, value any) {
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	s.Annotations[key] = value
}

// End records the end of the span with the invocation's error.
func (s *Span) End(err error) {
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	s.Ended, s.Err = true, err
}
