package handler

import (
	"context"
	"time"
)

// noDeadlineBefore is the earliest deadline taken as real. Run outside Lambda,
// aws-lambda-go may give a zero deadline or one at the Unix epoch; no real
// invocation ends before this.
var noDeadlineBefore = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)

// Deadline returns the invocation's deadline and whether it has a real one. A
// missing deadline, or a zero or 1970 one, counts as none.
func Deadline(ctx context.Context) (time.Time, bool) {
	d, ok := ctx.Deadline()
	if !ok || d.Before(noDeadlineBefore) {
		return time.Time{}, false
	}
	return d, true
}

// Remaining returns the time left until the context's deadline, which under
// [DeadlineMargin] already excludes the margin. ok is false when the context
// has no real deadline (see [Deadline]). The time left may be zero or
// negative: that is a value, not "absent".
func Remaining(ctx context.Context) (d time.Duration, ok bool) {
	dl, ok := Deadline(ctx)
	if !ok {
		return 0, false
	}
	return time.Until(dl), true
}

type coldStartKey struct{}

// IsColdStart reports whether this invocation is the first one of its handler
// in this process. It needs the [ColdStart] middleware (part of [Defaults]).
func IsColdStart(ctx context.Context) bool {
	v, _ := ctx.Value(coldStartKey{}).(bool)
	return v
}

// traceIDKey is the context key aws-lambda-go uses for the X-Ray trace header.
// It is a plain string in aws-lambda-go, so it is spelled the same here.
const traceIDKey = "x-amzn-trace-id"

// TraceID returns the invocation's X-Ray trace header
// ("Root=1-…;Parent=…;Sampled=…"), or "" outside Lambda. It reads the
// context, not _X_AMZN_TRACE_ID, which the runtime leaves unset when it runs
// invocations concurrently.
func TraceID(ctx context.Context) string {
	v, _ := ctx.Value(traceIDKey).(string)
	return v
}
