package handler

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Logging records each invocation with log/slog when it ends: request id,
// function name and version, cold start, duration, and the error with its
// type name when there is one. Failures are logged at slog.LevelError,
// successes at the level of [WithSuccessLevel] (default slog.LevelDebug). The
// logger comes from [WithLogger] (default slog.Default()). Records are written
// with the invocation's context, so a context-aware slog.Handler sees it.
func Logging(opts ...Option) Middleware {
	o := newOptions(opts)
	logger := o.logger
	return func(next HandlerFunc) HandlerFunc {
		return func(ctx context.Context, payload []byte) ([]byte, error) {
			start := time.Now()
			out, err := next(ctx, payload)
			level := o.successLevel
			if err != nil {
				level = slog.LevelError
			}
			if logger.Enabled(ctx, level) {
				attrs := append(InvocationAttrs(ctx), slog.Duration("duration", time.Since(start)))
				msg := "invocation succeeded"
				if err != nil {
					msg = "invocation failed"
					attrs = append(attrs, slog.String("error", err.Error()), slog.String("error_type", ErrorType(err)))
				}
				logger.LogAttrs(ctx, level, msg, attrs...)
			}
			return out, err
		}
	}
}

// InvocationAttrs returns the attributes that identify an invocation in logs:
// request id, function name and version, cold start, and the X-Ray trace id
// (the Root of the trace header) as xray_trace_id when there is one. Feature packages add them to their own records.
func InvocationAttrs(ctx context.Context) []slog.Attr {
	attrs := make([]slog.Attr, 0, 8)
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		attrs = append(attrs, slog.String("request_id", lc.AwsRequestID))
	}
	attrs = append(attrs,
		slog.String("function_name", lambdacontext.FunctionName),
		slog.String("function_version", lambdacontext.FunctionVersion),
		slog.Bool("cold_start", IsColdStart(ctx)),
	)
	if id := traceRoot(TraceID(ctx)); id != "" {
		attrs = append(attrs, slog.String("xray_trace_id", id))
	}
	return attrs
}

// traceRoot returns the Root part of an X-Ray trace header ("1-5759e988-…"),
// the id the X-Ray console and Powertools' logs use.
func traceRoot(header string) string {
	for part := range strings.SplitSeq(header, ";") {
		if root, ok := strings.CutPrefix(strings.TrimSpace(part), "Root="); ok {
			return root
		}
	}
	return ""
}
