// Package initbench measures what tracing costs a cold start: the binary size
// and the init time (process start to the first /next request to the Runtime
// API) of the functions in its subdirectories, and how long their first
// invocation takes.
//
//	go test -run '^$' -bench Init -benchtime 30x ./xraytrace/internal/initbench/
//
// Each round starts every variant once, in turn, so that a busy machine
// slows them all alike; the figures are medians over the rounds.
package initbench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// variants are the function mains, by directory; bare is the baseline.
var variants = []string{"bare", "core", "xray", "otel", "otelafter"}

// start is what one cold start of a function measured.
type start struct {
	// init is the time from starting the process to its first /next.
	init time.Duration
	// response is the time from handing out the first event to receiving
	// its response: what the caller waits for.
	response time.Duration
	// cycle is the time from handing out the first event to the second
	// /next: what Lambda bills, flushes after the response included.
	cycle time.Duration
}

func BenchmarkInit(b *testing.B) {
	bins := build(b)
	daemon := xrayDaemon(b)
	collector := otlpCollector(b)
	taskRoot := b.TempDir()

	starts := map[string][]start{}
	run := func(v string) {
		s, err := coldStart(bins[v], []string{
			"AWS_LAMBDA_FUNCTION_NAME=initbench",
			"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
			"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
			"AWS_LAMBDA_LOG_STREAM_NAME=2026/11/24/[$LATEST]initbench",
			"AWS_REGION=us-east-1",
			"LAMBDA_TASK_ROOT=" + taskRoot,
			"AWS_XRAY_DAEMON_ADDRESS=" + daemon,
			"OTEL_EXPORTER_OTLP_ENDPOINT=" + collector,
		})
		if err != nil {
			b.Fatalf("%s: %v", v, err)
		}
		starts[v] = append(starts[v], s)
	}
	for _, v := range variants { // warm the page cache
		run(v)
	}
	clear(starts)
	b.ResetTimer()
	for b.Loop() {
		for _, v := range variants {
			run(v)
		}
	}
	b.StopTimer()

	size := func(v string) float64 {
		fi, err := os.Stat(bins[v])
		if err != nil {
			b.Fatal(err)
		}
		return float64(fi.Size()) / (1 << 20)
	}
	median := func(v string, f func(start) time.Duration) float64 {
		ds := make([]time.Duration, 0, len(starts[v]))
		for _, s := range starts[v] {
			ds = append(ds, f(s))
		}
		slices.Sort(ds)
		return float64(ds[len(ds)/2]) / float64(time.Millisecond)
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\n%-10s %9s %9s %9s %7s %11s %9s  (medians of %d starts)\n",
		"variant", "size MiB", "+MiB", "init ms", "×bare", "response ms", "cycle ms", len(starts["bare"]))
	bareSize, bareInit := size("bare"), median("bare", func(s start) time.Duration { return s.init })
	for _, v := range variants {
		sz, in := size(v), median(v, func(s start) time.Duration { return s.init })
		resp, cycle := median(v, func(s start) time.Duration { return s.response }), median(v, func(s start) time.Duration { return s.cycle })
		fmt.Fprintf(&table, "%-10s %9.2f %9.2f %9.2f %7.2f %11.2f %9.2f\n", v, sz, sz-bareSize, in, in/bareInit, resp, cycle)
		b.ReportMetric(in, v+"-init-ms")
		b.ReportMetric(sz, v+"-MiB")
	}
	b.Log(table.String())
}

// build compiles the variants as a Lambda deployment would: static, stripped,
// without aws-lambda-go's RPC mode.
func build(b *testing.B) map[string]string {
	b.Helper()
	dir := b.TempDir()
	bins := map[string]string{}
	for _, v := range variants {
		out := filepath.Join(dir, v)
		cmd := exec.Command("go", "build", "-trimpath", "-tags", "lambda.norpc", "-ldflags", "-s -w", "-o", out, "./"+v)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("building %s: %v\n%s", v, err, msg)
		}
		bins[v] = out
	}
	return bins
}

// xrayDaemon listens where the xray variant sends its subsegments and drops them.
func xrayDaemon(b *testing.B) string {
	b.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	go func() {
		buf := make([]byte, 64<<10)
		for {
			if _, err := conn.Read(buf); err != nil {
				return
			}
		}
	}()
	b.Cleanup(func() { conn.Close() })
	return conn.LocalAddr().String()
}

// otlpCollector accepts OTLP/HTTP trace exports and answers them as a
// collector does, with an empty protobuf message.
func otlpCollector(b *testing.B) string {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

// coldStart starts bin against a fresh fake Runtime API, hands it one
// invocation, and stops it when it asks for the next one.
func coldStart(bin string, env []string) (start, error) {
	var (
		nexts     atomic.Int32
		mu        sync.Mutex
		t0        time.Time
		firstNext time.Time
		handedOut time.Time
		responded time.Time
	)
	release := make(chan struct{})
	secondNext := make(chan time.Time, 1)
	failed := make(chan string, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		if nexts.Add(1) > 1 {
			secondNext <- now
			select { // hold the runtime here until the process is stopped
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", "8476a536-e9f4-11e8-9739-2dfe598c3fcd")
		h.Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(time.Minute).UnixMilli()))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:initbench")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
		h.Set("Content-Type", "application/json")
		mu.Lock()
		firstNext = now
		handedOut = time.Now()
		mu.Unlock()
		_, _ = io.WriteString(w, `{"orderId":"o-1","items":3}`)
	})
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		responded = time.Now()
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		select {
		case failed <- string(body):
		default:
		}
		w.WriteHeader(http.StatusAccepted)
	})
	// handler.OnShutdown registers an extension so that Lambda sends SIGTERM.
	mux.HandleFunc("POST /2020-01-01/extension/register", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Lambda-Extension-Identifier", "initbench-ext")
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{}`)
	})
	mux.HandleFunc("GET /2020-01-01/extension/event/next", func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(release)

	cmd := exec.Command(bin)
	cmd.Env = append(env, "AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(srv.URL, "http://"))
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	mu.Lock()
	t0 = time.Now()
	mu.Unlock()
	if err := cmd.Start(); err != nil {
		return start{}, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var second time.Time
	select {
	case second = <-secondNext:
	case body := <-failed:
		return start{}, fmt.Errorf("the invocation failed: %s", body)
	case <-ctx.Done():
		return start{}, fmt.Errorf("no second /next within 30s")
	}
	mu.Lock()
	defer mu.Unlock()
	if responded.IsZero() {
		return start{}, fmt.Errorf("no response before the second /next")
	}
	return start{init: firstNext.Sub(t0), response: responded.Sub(handedOut), cycle: second.Sub(handedOut)}, nil
}
