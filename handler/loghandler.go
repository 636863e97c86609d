package handler

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// LogHandler is a slog.Handler that adds [InvocationAttrs] (request id,
// function name and version, cold start, X-Ray trace id) to every record logged
// with an invocation's context, so that a function's own
// logger.InfoContext(ctx, …) lines can be found by request id without passing
// attributes around. Records logged without an invocation's context, such as
// those of the init phase, pass through unchanged, and so do records that
// already carry a request_id attribute, such as those of [Logging].
//
// The attributes are added when the record is handled, so after any group
// the logger opened with WithGroup they land inside that group. A LogHandler
// is safe for concurrent use if the handler it wraps is.
type LogHandler struct {
	next slog.Handler
}

var _ slog.Handler = (*LogHandler)(nil)

// NewLogHandler returns a LogHandler that writes through next, typically a
// slog.JSONHandler on os.Stdout, which CloudWatch Logs indexes as JSON:
//
//	slog.SetDefault(slog.New(handler.NewLogHandler(slog.NewJSONHandler(os.Stdout, nil))))
func NewLogHandler(next slog.Handler) *LogHandler { return &LogHandler{next: next} }

// Enabled reports whether the wrapped handler handles records at level.
func (h *LogHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle adds the invocation's attributes to r, if ctx belongs to an
// invocation, and passes it on.
func (h *LogHandler) Handle(ctx context.Context, r slog.Record) error {
	if _, ok := lambdacontext.FromContext(ctx); !ok || hasRequestID(r) {
		return h.next.Handle(ctx, r)
	}
	// r may share its attribute storage with the caller's copy; adding to a
	// clone keeps the caller's record intact, as slog.Handler requires.
	r = r.Clone()
	r.AddAttrs(InvocationAttrs(ctx)...)
	return h.next.Handle(ctx, r)
}

// WithAttrs returns a LogHandler wrapping the wrapped handler's WithAttrs.
func (h *LogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &LogHandler{next: h.next.WithAttrs(attrs)}
}

// WithGroup returns a LogHandler wrapping the wrapped handler's WithGroup.
func (h *LogHandler) WithGroup(name string) slog.Handler {
	return &LogHandler{next: h.next.WithGroup(name)}
}

func hasRequestID(r slog.Record) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == "request_id"
		return !found
	})
	return found
}
