package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdakit/lambdakit/handler"
)

func TestLogging(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name      string
		level     slog.Level
		err       error
		wantLines int
		wantLevel string
	}{
		{name: "success below the logger's level", level: slog.LevelDebug, wantLines: 0},
		{name: "success at info", level: slog.LevelInfo, wantLines: 1, wantLevel: "INFO"},
		{name: "failure is always logged", level: slog.LevelDebug, err: errBoom, wantLines: 1, wantLevel: "ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&buf, nil))
			h := handler.Chain(func(context.Context, []byte) ([]byte, error) { return nil, tt.err },
				handler.ColdStart(), handler.Logging(handler.WithLogger(logger), handler.WithSuccessLevel(tt.level)))
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
			//lint:ignore SA1029 aws-lambda-go's own context key is this string.
			ctx = context.WithValue(ctx, "x-amzn-trace-id", "Root=1-abc;Parent=53995c3f42cd8ad8;Sampled=1")
			if _, err := h(ctx, nil); !errors.Is(err, tt.err) {
				t.Fatalf("err = %v", err)
			}
			lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
			if buf.Len() == 0 {
				lines = nil
			}
			if len(lines) != tt.wantLines {
				t.Fatalf("logged %d lines, want %d:\n%s", len(lines), tt.wantLines, buf.String())
			}
			if tt.wantLines == 0 {
				return
			}
			var rec map[string]any
			if err := json.Unmarshal(lines[0], &rec); err != nil {
				t.Fatal(err)
			}
			for key, want := range map[string]any{"level": tt.wantLevel, "request_id": "req-1", "cold_start": true, "xray_trace_id": "1-abc"} {
				if rec[key] != want {
					t.Errorf("%s = %v, want %v in %s", key, rec[key], want, lines[0])
				}
			}
			for _, key := range []string{"function_name", "function_version", "duration"} {
				if _, ok := rec[key]; !ok {
					t.Errorf("record has no %s: %s", key, lines[0])
				}
			}
			if tt.err != nil && (rec["error"] != "boom" || rec["error_type"] != "errorString") {
				t.Errorf("error fields = %v / %v", rec["error"], rec["error_type"])
			}
		})
	}
}
