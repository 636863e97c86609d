// Package initbench measures what tracing costs a cold start: the binary size
// and the init time (process start to the first /next request to the Runtime
// API) of the functions in its subdirectories, and how long their first
// invocation takes, run in lambdakit's Runtime API emulator
// (runtimeapi.Start). The emulator hands out trace headers with
// Sampled=0, so the xray variant builds its subsegment but sends nothing.
//
//	go test -run '^$' -bench Init -benchtime 30x ./internal/initbench/
//
// Each round starts every variant once, in turn, so that a busy machine
// slows them all alike; the figures are medians over the rounds.
package initbench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lambdakit/lambdakit/localstack/runtimeapi"
)

// variant is one function measured: the main in directory dir, run with env.
type variant struct {
	name, dir string
	env       map[string]string
}

// variants are the functions measured; bare is the baseline. otelafter is the
// otel main flushing after the response (oteltrace's Tracer.Handler).
var variants = []variant{
	{name: "bare", dir: "bare"},
	{name: "core", dir: "core"},
	{name: "xray", dir: "xray"},
	{name: "otel", dir: "otel"},
	{name: "otelafter", dir: "otel", env: map[string]string{"INITBENCH_OTEL_FLUSH": "after"}},
}

// start is what one cold start of a function measured.
type start struct {
	// init is the time from starting the process to its first /next.
	init time.Duration
	// response is the time from handing out the first event to receiving
	// its response: what the caller waits for.
	response time.Duration
}

func BenchmarkInit(b *testing.B) {
	bins := build(b)
	daemon := xrayDaemon(b)
	collector := otlpCollector(b)

	starts := map[string][]start{}
	run := func(v variant) {
		env := map[string]string{
			"AWS_XRAY_DAEMON_ADDRESS":     daemon,
			"OTEL_EXPORTER_OTLP_ENDPOINT": collector,
		}
		maps.Copy(env, v.env)
		s, err := coldStart(bins[v.dir], env)
		if err != nil {
			b.Fatalf("%s: %v", v.name, err)
		}
		starts[v.name] = append(starts[v.name], s)
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

	size := func(v variant) float64 {
		fi, err := os.Stat(bins[v.dir])
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
	fmt.Fprintf(&table, "\n%-10s %9s %9s %9s %7s %11s  (medians of %d starts)\n",
		"variant", "size MiB", "+MiB", "init ms", "×bare", "response ms", len(starts["bare"]))
	bareSize, bareInit := size(variants[0]), median("bare", func(s start) time.Duration { return s.init })
	for _, v := range variants {
		sz, in := size(v), median(v.name, func(s start) time.Duration { return s.init })
		resp := median(v.name, func(s start) time.Duration { return s.response })
		fmt.Fprintf(&table, "%-10s %9.2f %9.2f %9.2f %7.2f %11.2f\n", v.name, sz, sz-bareSize, in, in/bareInit, resp)
		b.ReportMetric(in, v.name+"-init-ms")
		b.ReportMetric(sz, v.name+"-MiB")
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
		if bins[v.dir] != "" {
			continue
		}
		out := filepath.Join(dir, v.dir)
		cmd := exec.Command("go", "build", "-trimpath", "-tags", "lambda.norpc", "-ldflags", "-s -w", "-o", out, "./"+v.dir)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("building %s: %v\n%s", v.dir, err, msg)
		}
		bins[v.dir] = out
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

// coldStart starts bin in lambdakit's Runtime API emulator and invokes it once.
func coldStart(bin string, env map[string]string) (start, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rt, err := runtimeapi.Start(ctx, bin,
		runtimeapi.WithFunction("initbench"),
		runtimeapi.WithEnv(env),
		runtimeapi.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return start{}, err
	}
	defer rt.Close()
	rep, err := rt.InvokeReport(ctx, []byte(`{"orderId":"o-1","items":3}`))
	if err != nil {
		return start{}, err
	}
	return start{init: rt.InitDuration(), response: rep.Duration}, nil
}
