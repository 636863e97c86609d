//go:build linux

package localstack

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/lambdakit/lambdakit/localstack/fixture"
)

// startOwn starts an emulator for one test, for tests that reset or kill it
// and so must not touch the shared one.
func startOwn(t *testing.T) *Emulator {
	t.Helper()
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("LOCALSTACK_HOST", "")
	em, err := Start(t.Context())
	if errors.Is(err, ErrUnavailable) && !underCI() {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { em.Close() })
	return em
}

// processGone reports whether pid has exited; a zombie counts as gone, since
// an init without reaping (common in containers) may leave one behind.
func processGone(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) > 0 && (fields[0] == "Z" || fields[0] == "X")
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !processGone(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("launcher pid %d still alive", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestEmulatorResetAndClose is not parallel: it clears the endpoint
// variables so Start launches its own emulator.
func TestEmulatorResetAndClose(t *testing.T) {
	em := startOwn(t)
	ctx := t.Context()
	if !em.Embedded() || !strings.HasPrefix(em.Endpoint(), "http://127.0.0.1:") {
		t.Fatalf("emulator = embedded %v at %s, want an embedded loopback one", em.Embedded(), em.Endpoint())
	}
	cfg := em.AWSConfig()
	if _, err := fixture.CreateQueue(ctx, cfg, "before-reset"); err != nil {
		t.Fatal(err)
	}
	if _, err := em.RegisterFunction(ctx, "fn", lambda.NewHandler(func() (string, error) { return "ok", nil }), 0); err != nil {
		t.Fatal(err)
	}
	if err := em.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	queues, err := sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(queues.QueueUrls) != 0 {
		t.Errorf("queues after Reset = %v, want none", queues.QueueUrls)
	}
	_, err = awslambda.NewFromConfig(cfg).Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("fn")})
	var notFound *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("Invoke after Reset: err = %v, want ResourceNotFoundException", err)
	}

	if em.dir != "" {
		t.Errorf("launcher directory %s kept after start, want it removed once Python has read the script", em.dir)
	}
	pid := em.cmd.Process.Pid
	if err := em.Close(); err != nil {
		t.Fatal(err)
	}
	if err := em.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if !processGone(pid) {
		t.Errorf("launcher pid %d alive after Close", pid)
	}
}

// TestEmulatorDiesMidTest checks that a dead emulator is reported with its
// exit status instead of as a mystery connection error.
func TestEmulatorDiesMidTest(t *testing.T) {
	em := startOwn(t)
	if err := em.Err(); err != nil {
		t.Fatalf("Err() on a running emulator = %v", err)
	}
	if err := syscall.Kill(em.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-em.exited
	var se *StartError
	if err := em.Err(); !errors.As(err, &se) || !strings.Contains(err.Error(), "killed") {
		t.Errorf("Err() = %v, want a *StartError saying the launcher was killed", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := fixture.CreateQueue(ctx, em.AWSConfig(), "after-death"); err == nil || ctx.Err() != nil {
		t.Errorf("CreateQueue on a dead emulator: err = %v, ctx %v; want a prompt error", err, ctx.Err())
	}
}

// TestNoOrphanAfterPanic runs itself in a child test binary that starts an
// emulator and panics, then checks that the launcher died with it.
func TestNoOrphanAfterPanic(t *testing.T) {
	if os.Getenv("LAMBDAKIT_ORPHAN_CHILD") == "1" {
		em := startOwn(t)
		fmt.Printf("LAUNCHER_PID=%d\n", em.cmd.Process.Pid)
		panic("test binary panics with a running emulator")
	}
	t.Parallel()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestNoOrphanAfterPanic$", "-test.count=1")
	cmd.Env = append(os.Environ(), "LAMBDAKIT_ORPHAN_CHILD=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "LAUNCHER_PID="); ok {
			pid, _ = strconv.Atoi(v)
		}
	}
	waitErr := cmd.Wait()
	if pid == 0 {
		if underCI() {
			t.Fatalf("child test binary started no emulator (exit: %v)", waitErr)
		}
		t.Skipf("child test binary started no emulator (exit: %v)", waitErr)
	}
	if waitErr == nil {
		t.Fatal("child test binary exited cleanly, want the panic")
	}
	waitGone(t, pid)
}
