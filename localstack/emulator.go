package localstack

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/lambdakit/lambdakit/localstack/internal/proc"
	"github.com/lambdakit/lambdakit/localstack/states"
)

// launcherScript is the Python launcher, shipped in the repository as
// launcher/moto_launcher.py and embedded so that tests in any package, or in
// a user's module, can start the emulator without knowing where it lives.
//
//go:embed launcher/moto_launcher.py
var launcherScript []byte

// readyPrefix starts the launcher's ready line on stdout.
const readyPrefix = "LAMBDAKIT_MOTO_READY "

// exitMotoMissing is the launcher's exit status when moto cannot be imported.
const exitMotoMissing = 3

// Emulator is a running AWS emulator: an embedded moto server started by
// [Start], or an endpoint it attached to. Its methods are safe for concurrent
// use.
type Emulator struct {
	endpoint string
	cfg      aws.Config
	moto     Moto

	// The fields below are set only for the embedded emulator.
	cmd    *exec.Cmd
	stdin  io.Closer
	exited chan struct{} // closed once the launcher process has exited
	// waitErr is written before exited is closed and read only after.
	waitErr error
	stderr  *proc.Tail
	dir     string
	host    *functionHost
	// motoURL is moto's own endpoint; endpoint is the front server that
	// routes Step Functions to engine and everything else to moto.
	motoURL string
	engine  *states.Engine
	front   *http.Server

	closeOnce sync.Once
	closeErr  error
}

// Start returns a ready emulator. When an endpoint is configured
// ([WithEndpoint], AWS_ENDPOINT_URL or LOCALSTACK_HOST) it attaches to it,
// after [WaitReady], and starts nothing. Otherwise it launches moto server on
// a free loopback port through the embedded launcher, with Step Functions
// execution on and a host for [Emulator.RegisterFunction]. The process is
// tied to the caller: [Emulator.Close] kills its process group, and it exits
// on its own when the Go process dies, panics included.
//
// Start is bounded by ctx and [WithStartTimeout]. When Python or moto is
// missing the error wraps [ErrUnavailable].
func Start(ctx context.Context, opts ...Option) (*Emulator, error) {
	o := newOptions(opts)
	ctx, cancel := context.WithTimeout(ctx, o.startTimeout)
	defer cancel()

	endpoint := o.endpoint
	if endpoint == "" {
		endpoint, _ = envEndpoint()
	}
	if endpoint != "" {
		if err := WaitReady(ctx, endpoint); err != nil {
			return nil, err
		}
		return &Emulator{endpoint: endpoint, cfg: awsConfig(endpoint, o.region)}, nil
	}
	return startEmbedded(ctx, o)
}

func startEmbedded(ctx context.Context, o options) (_ *Emulator, err error) {
	python, err := exec.LookPath(o.python)
	if err != nil {
		return nil, &StartError{Err: fmt.Errorf("%w: python interpreter %q: %v", ErrUnavailable, o.python, err)}
	}
	dir, err := os.MkdirTemp("", "lambdakit-moto-")
	if err != nil {
		return nil, &StartError{Err: err}
	}
	e := &Emulator{dir: dir, exited: make(chan struct{}), stderr: proc.NewTail(16 << 10)}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()
	script := filepath.Join(dir, "moto_launcher.py")
	if err := os.WriteFile(script, launcherScript, 0o600); err != nil {
		return nil, &StartError{Err: err}
	}
	if e.host, err = startFunctionHost(); err != nil {
		return nil, &StartError{Err: err}
	}

	cmd := exec.Command(python, "-u", script,
		"--host", "127.0.0.1",
		"--port", "0",
		"--invoke-url", e.host.url(),
		"--parent-pid", strconv.Itoa(os.Getpid()),
		"--watch-stdin",
	)
	// Not dir: it is removed once the launcher runs, and a process whose
	// working directory is gone fails on anything relative to it.
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1")
	cmd.SysProcAttr = proc.SysProcAttr()
	var stderr io.Writer = e.stderr
	if o.logOutput != nil {
		stderr = io.MultiWriter(e.stderr, o.logOutput)
	}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, &StartError{Err: err}
	}
	// The launcher exits when this pipe reaches EOF, which the kernel
	// guarantees when this process dies for any reason; it is never written.
	if e.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, &StartError{Err: err}
	}
	if err := cmd.Start(); err != nil {
		return nil, &StartError{Err: fmt.Errorf("%w: %v", ErrUnavailable, err)}
	}
	e.cmd = cmd

	ready := make(chan readyLine, 1)
	go scanLauncherStdout(stdout, ready, e.stderr)
	go func() {
		e.waitErr = cmd.Wait()
		close(e.exited)
	}()

	select {
	case line, ok := <-ready:
		if !ok {
			// stdout closed without a ready line: the launcher is exiting.
			<-e.exited
			return nil, e.exitError()
		}
		e.moto = Moto{Version: line.Moto, Patches: line.Patches}
		e.motoURL = "http://127.0.0.1:" + strconv.Itoa(line.Port)
	case <-e.exited:
		return nil, e.exitError()
	case <-ctx.Done():
		return nil, &StartError{Err: fmt.Errorf("no ready line from the launcher: %w", ctx.Err()), Stderr: e.stderr.String()}
	}
	// Python has read the script by now; removing it at once means a test
	// binary that never calls Close (Shared without Main) leaves no files.
	if err := os.RemoveAll(dir); err == nil {
		e.dir = ""
	}
	if err := e.startFront(o); err != nil {
		return nil, &StartError{Err: err}
	}
	e.cfg = awsConfig(e.endpoint, o.region)
	if err := WaitReady(ctx, e.endpoint); err != nil {
		return nil, &StartError{Err: err, Stderr: e.stderr.String()}
	}
	return e, nil
}

// readyLine is the launcher's ready line: its port, moto's version and the
// patch registry's outcome.
type readyLine struct {
	Port    int     `json:"port"`
	Moto    string  `json:"moto"`
	Patches []Patch `json:"patches"`
}

// scanLauncherStdout delivers the ready line and then drains stdout so that
// a chatty moto can never block on a full pipe. Other lines go to the log.
func scanLauncherStdout(r io.Reader, ready chan<- readyLine, log io.Writer) {
	sc := bufio.NewScanner(r)
	sent := false
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, readyPrefix); ok && !sent {
			var rl readyLine
			if err := json.Unmarshal([]byte(rest), &rl); err == nil && rl.Port > 0 {
				ready <- rl
				sent = true
				continue
			}
		}
		fmt.Fprintln(log, line)
	}
	if !sent {
		close(ready)
	}
}

// exitError describes a launcher that exited; call it only after exited is
// closed.
func (e *Emulator) exitError() error {
	err := fmt.Errorf("launcher exited: %v", e.waitErr)
	var exitErr *exec.ExitError
	if errors.As(e.waitErr, &exitErr) && exitErr.ExitCode() == exitMotoMissing {
		err = fmt.Errorf("%w: moto is not importable by the Python interpreter", ErrUnavailable)
	}
	return &StartError{Err: err, Stderr: e.stderr.String()}
}

// Endpoint returns the emulator's base URL, for example http://127.0.0.1:41234.
func (e *Emulator) Endpoint() string { return e.endpoint }

// AWSConfig returns an aws.Config for the emulator, with static test
// credentials. Each call returns a copy that the caller may modify.
func (e *Emulator) AWSConfig() aws.Config { return e.cfg.Copy() }

// Embedded reports whether the emulator is the embedded moto started by
// [Start], as opposed to an attached endpoint.
func (e *Emulator) Embedded() bool { return e.cmd != nil }

// Err returns nil while the embedded emulator runs, and otherwise a
// [*StartError] with the launcher's exit status and its last stderr lines,
// so a test that sees connection errors can tell why. It is always nil for
// an attached endpoint.
func (e *Emulator) Err() error {
	if e.cmd == nil {
		return nil
	}
	select {
	case <-e.exited:
		return e.exitError()
	default:
		return nil
	}
}

// Reset clears every resource in the emulator with moto's POST
// /moto-api/reset, and forgets the functions registered with
// [Emulator.RegisterFunction], since their moto side is gone too. A real
// LocalStack has no such endpoint and returns an error. Reset affects every
// test that shares the emulator, so call it only from tests that do not run
// in parallel with others using it.
func (e *Emulator) Reset(ctx context.Context) error {
	target := e.endpoint
	if e.motoURL != "" {
		target = e.motoURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target+"/moto-api/reset", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("localstack: reset: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("localstack: reset %s: HTTP %d (POST /moto-api/reset is moto only)", e.endpoint, resp.StatusCode)
	}
	if e.host != nil {
		e.host.reset()
	}
	if e.engine != nil {
		e.engine.Reset()
	}
	return nil
}

// Close stops the embedded emulator: it kills the launcher's whole process
// group, waits for it, stops the function host and removes the temporary
// files. For an attached endpoint it does nothing. Close is idempotent.
func (e *Emulator) Close() error {
	e.closeOnce.Do(func() {
		if e.cmd != nil {
			proc.KillGroup(e.cmd.Process)
			if e.stdin != nil {
				e.stdin.Close()
			}
			select {
			case <-e.exited:
			case <-time.After(10 * time.Second):
				e.closeErr = fmt.Errorf("localstack: launcher pid %d did not exit after SIGKILL", e.cmd.Process.Pid)
			}
		}
		if e.front != nil {
			_ = e.front.Close()
		}
		if e.engine != nil {
			_ = e.engine.Close()
		}
		if e.host != nil {
			e.host.close()
		}
		if e.dir != "" {
			if err := os.RemoveAll(e.dir); err != nil && e.closeErr == nil {
				e.closeErr = err
			}
		}
	})
	return e.closeErr
}
