//go:build unix

package runtimeapi

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/google/go-cmp/cmp"
)

// bootstrapPath builds testdata/bootstrap into a directory of the calling test, as the deployed artifact is built
// (GOOS=linux CGO_ENABLED=0 -tags lambda.norpc), and returns its path. The build cache makes all but the first
// build a link.
func bootstrapPath(t testing.TB) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", out, "./testdata/bootstrap")
	// GOOS is linux on Linux, as for the deployed artifact; elsewhere the binary must run on the test machine.
	cmd.Env = append(os.Environ(), "GOOS="+runtime.GOOS, "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build testdata/bootstrap: %v\n%s", err, b)
	}
	return out
}

func startTestRuntime(t *testing.T, opts ...Option) *Runtime {
	t.Helper()
	opts = append([]Option{WithOutput(t.Output())}, opts...)
	r, err := Start(t.Context(), bootstrapPath(t), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

type bootstrapReply struct {
	Value        string `json:"value"`
	RequestID    string `json:"requestId"`
	FunctionARN  string `json:"functionArn"`
	FunctionName string `json:"functionName"`
	Region       string `json:"region"`
	DeadlineInMS int64  `json:"deadlineInMs"`
	Invocations  int    `json:"invocations"`
}

func decodeReply(t *testing.T, b []byte) bootstrapReply {
	t.Helper()
	var r bootstrapReply
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("reply %s: %v", b, err)
	}
	return r
}

func TestRuntimeTwoInvocations(t *testing.T) {
	r := startTestRuntime(t, WithFunction("orders"), WithRegion("eu-west-1"), WithTimeout(2*time.Second))
	if r.InitDuration() <= 0 {
		t.Errorf("InitDuration = %s, want > 0", r.InitDuration())
	}
	for i, value := range []string{"first", "second"} {
		rep, err := r.InvokeReport(t.Context(), []byte(`{"op":"echo","value":"`+value+`"}`))
		if err != nil {
			t.Fatalf("invocation %d: %v", i+1, err)
		}
		got := decodeReply(t, rep.Response)
		want := bootstrapReply{
			Value:        value,
			RequestID:    rep.RequestID,
			FunctionARN:  "arn:aws:lambda:eu-west-1:123456789012:function:orders",
			FunctionName: "orders",
			Region:       "eu-west-1",
			Invocations:  i + 1, // The same warm process serves both.
		}
		if diff := cmp.Diff(want, got, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".DeadlineInMS" }, cmp.Ignore())); diff != "" {
			t.Errorf("invocation %d reply mismatch (-want +got):\n%s", i+1, diff)
		}
		if got.DeadlineInMS <= 0 || got.DeadlineInMS > 2000 {
			t.Errorf("invocation %d: deadline in %d ms, want within the 2 s timeout", i+1, got.DeadlineInMS)
		}
		if rep.Duration <= 0 || rep.InitDuration != 0 {
			t.Errorf("invocation %d: Duration %s, InitDuration %s; want a duration and a warm start", i+1, rep.Duration, rep.InitDuration)
		}
	}
}

func TestRuntimeFunctionError(t *testing.T) {
	r := startTestRuntime(t)
	_, err := r.InvokeReport(t.Context(), []byte(`{"op":"fail","value":"out of stock"}`))
	var ie *InvokeError
	if !errors.As(err, &ie) || ie.Type != "OrderError" || ie.Message != "order rejected: out of stock" {
		t.Fatalf("err = %v, want an *InvokeError of type OrderError", err)
	}
	// Through the lambda.Handler method the error is the value aws-lambda-go passes on unchanged.
	_, err = r.Invoke(t.Context(), []byte(`{"op":"fail","value":"again"}`))
	var ire messages.InvokeResponse_Error
	if !errors.As(err, &ire) || ire.Type != "OrderError" {
		t.Fatalf("Invoke err = %#v, want a messages.InvokeResponse_Error of type OrderError", err)
	}
	// A function error does not cost the process: the next invocation is warm.
	rep, err := r.InvokeReport(t.Context(), []byte(`{"op":"echo","value":"ok"}`))
	if err != nil || decodeReply(t, rep.Response).Invocations != 3 || rep.InitDuration != 0 {
		t.Errorf("after the errors: %+v, %v; want the third invocation of the same process", rep, err)
	}
}

func TestRuntimeInitFailure(t *testing.T) {
	tests := []struct {
		mode, wantType, wantMessage, wantStderr string
	}{
		{mode: "exit", wantType: "Runtime.ExitError", wantMessage: "exit status 3", wantStderr: "ORDERS_TABLE is not set"},
		{mode: "report", wantType: "ConfigError", wantMessage: "ORDERS_TABLE is not set", wantStderr: "reported ConfigError"},
	}
	path := bootstrapPath(t)
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			_, err := Start(t.Context(), path, WithEnv(map[string]string{"BOOTSTRAP_INIT": tt.mode}))
			var ie *InitError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an *InitError", err)
			}
			if ie.Type != tt.wantType || !strings.Contains(ie.Message, tt.wantMessage) {
				t.Errorf("InitError = %s: %s, want %s: ...%s...", ie.Type, ie.Message, tt.wantType, tt.wantMessage)
			}
			// The stderr line is written just before the exit; for a reported error the process may still be
			// writing when the Runtime kills it, so only the exit case is certain to have it.
			if tt.mode == "exit" && !strings.Contains(ie.Stderr, tt.wantStderr) {
				t.Errorf("Stderr = %q, want it to contain %q", ie.Stderr, tt.wantStderr)
			}
		})
	}
}

func TestRuntimeTimeoutRestarts(t *testing.T) {
	r := startTestRuntime(t, WithTimeout(500*time.Millisecond))
	_, err := r.InvokeReport(t.Context(), []byte(`{"op":"sleep","ms":5000}`))
	var ie *InvokeError
	if !errors.As(err, &ie) || ie.Type != "Sandbox.Timedout" || !errors.Is(err, ErrFunctionTimeout) {
		t.Fatalf("err = %v, want a Sandbox.Timedout *InvokeError wrapping ErrFunctionTimeout", err)
	}
	rep, err := r.InvokeReport(t.Context(), []byte(`{"op":"echo","value":"after"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeReply(t, rep.Response); got.Invocations != 1 || rep.InitDuration <= 0 {
		t.Errorf("after a timeout: invocation %d of its process, init %s; want a fresh process", got.Invocations, rep.InitDuration)
	}
}

func TestRuntimePanicRestarts(t *testing.T) {
	r := startTestRuntime(t)
	_, err := r.InvokeReport(t.Context(), []byte(`{"op":"panic","value":"boom"}`))
	var ie *InvokeError
	if !errors.As(err, &ie) || !strings.Contains(ie.Message, "bootstrap: boom") {
		t.Fatalf("err = %v, want the panic reported as an *InvokeError", err)
	}
	// aws-lambda-go exits after reporting a panic; the next invocation gets a fresh process, not an error.
	rep, err := r.InvokeReport(t.Context(), []byte(`{"op":"echo","value":"after"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeReply(t, rep.Response); got.Invocations != 1 || rep.InitDuration <= 0 {
		t.Errorf("after a panic: invocation %d of its process, init %s; want a fresh process", got.Invocations, rep.InitDuration)
	}
}

// TestRuntimeCloseLeavesNoProcess checks that Close kills and reaps the bootstrap, even in the middle of an
// invocation.
func TestRuntimeCloseLeavesNoProcess(t *testing.T) {
	r, err := Start(t.Context(), bootstrapPath(t))
	if err != nil {
		t.Fatal(err)
	}
	pid := r.current().cmd.Process.Pid
	done := make(chan error, 1)
	go func() {
		_, err := r.Invoke(context.Background(), []byte(`{"op":"sleep","ms":10000}`))
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	// Signal 0 only checks for existence: ESRCH means the process is gone and reaped.
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process %d still exists after Close (kill -0: %v)", pid, err)
	}
	if err := <-done; err == nil {
		t.Errorf("the interrupted invocation succeeded")
	}
	if _, err := r.Invoke(t.Context(), []byte(`{}`)); err == nil {
		t.Errorf("Invoke after Close succeeded")
	}
}

// BenchmarkRuntimeColdStart starts a fresh bootstrap process per iteration, the way Lambda cold-starts an
// execution environment, and reports the median init duration (process start to first /next).
func BenchmarkRuntimeColdStart(b *testing.B) {
	path := bootstrapPath(b)
	var inits []time.Duration
	for b.Loop() {
		r, err := Start(b.Context(), path)
		if err != nil {
			b.Fatal(err)
		}
		inits = append(inits, r.InitDuration())
		if err := r.Close(); err != nil {
			b.Fatal(err)
		}
	}
	slices.Sort(inits)
	b.ReportMetric(float64(inits[len(inits)/2].Microseconds())/1000, "init-ms-median")
}

// BenchmarkRuntimeWarmInvoke measures one invocation of a warm process through the Runtime API.
func BenchmarkRuntimeWarmInvoke(b *testing.B) {
	r, err := Start(b.Context(), bootstrapPath(b))
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	payload := []byte(`{"op":"echo","value":"x"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Invoke(b.Context(), payload); err != nil {
			b.Fatal(err)
		}
	}
}
