package oteltrace_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestFlushOrder runs a function under aws-lambda-go's real runtime loop, in
// a child process, against a fake Runtime API and OTLP collector, and checks
// when the span is exported: before the response by default, and after the
// response but before the next invocation with Tracer.Handler. Either way the
// export happens within the invocation, before Lambda may freeze the process.
func TestFlushOrder(t *testing.T) {
	tests := []struct {
		mode string
		want []string
	}{
		{"sync", []string{"export", "response", "next"}},
		{"after-response", []string{"response", "export", "next"}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			var mu sync.Mutex
			var events []string
			record := func(e string) {
				mu.Lock()
				defer mu.Unlock()
				events = append(events, e)
			}
			collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				record("export")
				w.Header().Set("Content-Type", "application/x-protobuf")
			}))
			defer collector.Close()

			secondNext := make(chan struct{})
			release := make(chan struct{})
			var nexts int
			mux := http.NewServeMux()
			mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				nexts++
				n := nexts
				mu.Unlock()
				if n > 1 {
					record("next")
					close(secondNext)
					select {
					case <-release:
					case <-r.Context().Done():
					}
					return
				}
				h := w.Header()
				h.Set("Lambda-Runtime-Aws-Request-Id", "req-1")
				h.Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(time.Minute).UnixMilli()))
				h.Set("Lambda-Runtime-Invoked-Function-Arn", arn)
				h.Set("Lambda-Runtime-Trace-Id", traceHeader)
				_, _ = io.WriteString(w, `{"items":3}`)
			})
			mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if string(body) != `{"items":3}` {
					t.Errorf("response = %s", body)
				}
				record("response")
				w.WriteHeader(http.StatusAccepted)
			})
			mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				t.Errorf("invocation failed: %s", body)
				w.WriteHeader(http.StatusAccepted)
			})
			runtimeAPI := httptest.NewServer(mux)
			defer runtimeAPI.Close()
			defer close(release)

			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(),
				childEnv+"="+tt.mode,
				"AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(runtimeAPI.URL, "http://"),
				"OTEL_EXPORTER_OTLP_ENDPOINT="+collector.URL,
			)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
			select {
			case <-secondNext:
			case <-time.After(30 * time.Second):
				t.Fatalf("the function did not ask for a second invocation; stderr:\n%s", stderr.String())
			}
			mu.Lock()
			defer mu.Unlock()
			if diff := cmp.Diff(tt.want, events); diff != "" {
				t.Errorf("order of events (-want +got):\n%s", diff)
			}
		})
	}
}
