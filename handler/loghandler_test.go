package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/handler"
)

// logHandlerContext is the context aws-lambda-go gives an invocation.
func logHandlerContext(requestID, traceHeader string) context.Context {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: requestID})
	if traceHeader != "" {
		//lint:ignore SA1029 aws-lambda-go keys the trace header with this plain string.
		ctx = context.WithValue(ctx, "x-amzn-trace-id", traceHeader)
	}
	return ctx
}

func decodeLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		delete(m, "time")
		lines = append(lines, m)
	}
	return lines
}

func TestLogHandler(t *testing.T) {
	const trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	tests := []struct {
		name string
		log  func(l *slog.Logger)
		want map[string]any
	}{
		{
			name: "invocation",
			log: func(l *slog.Logger) {
				l.InfoContext(logHandlerContext("req-1", trace), "order accepted", "order", "o-1")
			},
			want: map[string]any{
				"level": "INFO", "msg": "order accepted", "order": "o-1", "request_id": "req-1",
				"function_name": lambdacontext.FunctionName, "function_version": lambdacontext.FunctionVersion,
				"cold_start": false, "xray_trace_id": "1-5759e988-bd862e3fe1be46a994272793",
			},
		},
		{
			name: "outside an invocation",
			log:  func(l *slog.Logger) { l.InfoContext(context.Background(), "init done") },
			want: map[string]any{"level": "INFO", "msg": "init done"},
		},
		{
			name: "record that has the attributes already",
			log: func(l *slog.Logger) {
				l.InfoContext(logHandlerContext("req-1", ""), "invocation succeeded", "request_id", "req-1")
			},
			want: map[string]any{"level": "INFO", "msg": "invocation succeeded", "request_id": "req-1"},
		},
		{
			name: "logger with attributes and a group",
			log: func(l *slog.Logger) {
				l.With("service", "orders").WithGroup("order").InfoContext(logHandlerContext("req-2", ""), "saved", "id", "o-2")
			},
			want: map[string]any{
				"level": "INFO", "msg": "saved", "service": "orders",
				"order": map[string]any{
					"id": "o-2", "request_id": "req-2", "cold_start": false,
					"function_name": lambdacontext.FunctionName, "function_version": lambdacontext.FunctionVersion,
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.log(slog.New(handler.NewLogHandler(slog.NewJSONHandler(&buf, nil))))
			lines := decodeLines(t, &buf)
			if len(lines) != 1 {
				t.Fatalf("%d lines, want 1", len(lines))
			}
			if diff := cmp.Diff(tt.want, lines[0]); diff != "" {
				t.Errorf("log line (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLogHandlerWithLogging checks that the Logging middleware's own record,
// which carries the invocation's attributes already, does not get them twice,
// and that the function's records logged concurrently get their own.
func TestLogHandlerWithLogging(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(handler.NewLogHandler(slog.NewJSONHandler(lockedWriter{&mu, &buf}, nil)))
	h := handler.Chain(func(ctx context.Context, payload []byte) ([]byte, error) {
		logger.InfoContext(ctx, "working", "payload", string(payload))
		return nil, nil
	}, handler.ColdStart(), handler.Logging(handler.WithLogger(logger), handler.WithSuccessLevel(slog.LevelInfo)))

	var wg sync.WaitGroup
	for _, id := range []string{"a", "b", "c", "d"} {
		wg.Go(func() {
			if _, err := h(logHandlerContext(id, ""), []byte(id)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	lines := decodeLines(t, &buf)
	if len(lines) != 8 {
		t.Fatalf("%d lines, want 8", len(lines))
	}
	for _, l := range lines {
		if l["msg"] == "working" && l["payload"] != l["request_id"] {
			t.Errorf("line %v: request id of another invocation", l)
		}
	}
	if !strings.Contains(buf.String(), `"msg":"invocation succeeded"`) || strings.Count(buf.String(), `"request_id"`) != 8 {
		t.Errorf("want one request_id per line:\n%s", buf.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
