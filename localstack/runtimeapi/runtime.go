package runtimeapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdakit/lambdakit/localstack/internal/invoke"
	"github.com/lambdakit/lambdakit/localstack/internal/proc"
)

// ErrFunctionTimeout is wrapped by the error of an init phase or invocation
// that ran out of time. It is the same value as esm.ErrFunctionTimeout.
var ErrFunctionTimeout = invoke.ErrFunctionTimeout

// Defaults of a [Runtime], those of a new Lambda function.
const (
	defaultMemoryMB    = 128
	defaultInitTimeout = 10 * time.Second // Lambda's limit for the init phase of an on-demand function.
	// maxResponseSize is the 6 MB limit on a synchronous invocation's response.
	maxResponseSize = 6 * 1024 * 1024
	// stderrTail is how much of a bootstrap's stderr an InitError keeps.
	stderrTail = 64 * 1024
)

// Option configures a [Runtime].
type Option func(*options)

type options struct {
	functionName string
	region       string
	memoryMB     int
	timeout      time.Duration
	initTimeout  time.Duration
	env          map[string]string
	output       io.Writer
	logger       *slog.Logger
}

// WithFunction sets the function name the bootstrap sees in AWS_LAMBDA_FUNCTION_NAME, its log group and
// its ARN. Default "bootstrap-function".
func WithFunction(name string) Option {
	return func(o *options) { o.functionName = name }
}

// WithTimeout sets the function timeout: the deadline the bootstrap receives with each invocation, after
// which the Runtime kills the process, as Lambda does, and starts a fresh one on the next invocation. Default 3 s.
func WithTimeout(d time.Duration) Option {
	return func(o *options) { o.timeout = d }
}

// WithMemory sets AWS_LAMBDA_FUNCTION_MEMORY_SIZE in MB. It limits nothing. Default 128.
func WithMemory(mb int) Option { return func(o *options) { o.memoryMB = mb } }

// WithRegion sets AWS_REGION, AWS_DEFAULT_REGION and the region of the function ARN. Default us-east-1.
func WithRegion(region string) Option {
	return func(o *options) { o.region = region }
}

// WithInitTimeout bounds the init phase, from process start to its first request for an invocation.
// Default 10 s, Lambda's limit.
func WithInitTimeout(d time.Duration) Option {
	return func(o *options) { o.initTimeout = d }
}

// WithEnv adds environment variables, such as AWS_ENDPOINT_URL and credentials for an emulator, or
// overrides the ones the Runtime sets. The bootstrap inherits nothing else from the test process, as a Lambda
// function inherits nothing from its host.
func WithEnv(env map[string]string) Option {
	return func(o *options) {
		if o.env == nil {
			o.env = make(map[string]string, len(env))
		}
		for k, v := range env {
			o.env[k] = v
		}
	}
}

// WithOutput sends the bootstrap's stdout and stderr, its "CloudWatch logs", to w. Default: discarded,
// except the tail of stderr that an [InitError] carries.
func WithOutput(w io.Writer) Option { return func(o *options) { o.output = w } }

// WithLogger sets where the Runtime writes Lambda's START, END and REPORT lines. Default [slog.Default],
// at debug level.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// InitError reports a bootstrap that failed its init phase: it exited, reported an error to
// /runtime/init/error, or did not ask for an invocation within the init timeout.
type InitError struct {
	// Type is the errorType the runtime reported, or Runtime.ExitError or Sandbox.Timedout.
	Type string
	// Message is the runtime's errorMessage, or how the process ended.
	Message string
	// Stderr is the tail of the process's stderr, where a Go program's panic or log.Fatal lands.
	Stderr string
}

func (e *InitError) Error() string {
	msg := fmt.Sprintf("runtimeapi: bootstrap init failed: %s: %s", e.Type, e.Message)
	if s := strings.TrimSpace(e.Stderr); s != "" {
		msg += "\nstderr:\n" + s
	}
	return msg
}

// Unwrap returns [ErrFunctionTimeout] for an init phase that ran out of time.
func (e *InitError) Unwrap() error {
	if e.Type == invoke.TimeoutErrorType {
		return invoke.ErrFunctionTimeout
	}
	return nil
}

// InvokeError reports a failed invocation the way Lambda's Invoke API does with X-Amz-Function-Error: the error
// the function posted to /runtime/invocation/{id}/error, or one the Runtime raised: Sandbox.Timedout for a
// function that ran past its timeout, Runtime.ExitError for a process that died during the invocation,
// Function.ResponseSizeTooLarge for a response over 6 MB.
type InvokeError struct {
	RequestID string
	// Type is the errorType: for a Go function, the Go type name of the error it returned.
	Type    string
	Message string
	// StackTrace is the runtime's stackTrace, as sent.
	StackTrace []*messages.InvokeResponse_Error_StackFrame
}

func (e *InvokeError) Error() string {
	return fmt.Sprintf("runtimeapi: invocation %s failed: %s: %s", e.RequestID, e.Type, e.Message)
}

// Unwrap returns [ErrFunctionTimeout] for a timed-out invocation.
func (e *InvokeError) Unwrap() error {
	if e.Type == invoke.TimeoutErrorType {
		return invoke.ErrFunctionTimeout
	}
	return nil
}

const (
	errorTypeExit     = "Runtime.ExitError"
	errorTypeTooLarge = "Function.ResponseSizeTooLarge"
)

// Report is what Lambda's REPORT log line says about one invocation.
type Report struct {
	RequestID string
	// Duration runs from handing the event to the runtime to receiving its response or error.
	Duration time.Duration
	// InitDuration is the init phase of the process this invocation started; zero for a warm invocation.
	InitDuration time.Duration
	// Response is the function's response, nil on error.
	Response []byte
}

// Runtime runs a Lambda bootstrap executable (a Go function built with
// GOOS=linux CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap) the way Lambda's provided.al2023 runtime
// does: it serves the Runtime API (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html) on a loopback
// port, starts the process with AWS_LAMBDA_RUNTIME_API and the usual AWS_LAMBDA_* variables, hands it one
// invocation at a time and measures init and invocation durations. A timed-out or crashed process is killed and
// replaced by a fresh one, with its own init, on the next invocation.
//
// Runtime implements [lambda.Handler], so it can serve an esm.Mapping or localstack.Emulator.RegisterFunction.
// Its methods are safe for concurrent use; invocations queue for the single process, as they would for one
// Lambda execution environment. Time spent queued counts against a caller's ctx deadline, so a mapping in front
// of one Runtime should use WithMaxConcurrency(1).
//
// Measuring cold starts is a loop of Start, [Runtime.InitDuration] and [Runtime.Close]; each start costs
// a process and a loopback listener (see BenchmarkRuntimeColdStart).
type Runtime struct {
	bootstrap string
	opts      options
	arn       string
	ln        net.Listener
	srv       *http.Server
	slot      chan struct{} // holds one token per running invocation or start; capacity 1

	mu           sync.Mutex
	proc         *process // nil when no process is running
	starting     *process // the process in its init phase, if any
	initDuration time.Duration
	closed       bool
}

var _ lambda.Handler = (*Runtime)(nil)

// Start starts the bootstrap executable at path and returns once it has initialised, that is, once it
// has asked for its first invocation; [Runtime.InitDuration] then tells how long that took. A bootstrap that
// exits, reports an init error or exceeds the init timeout yields an *[InitError] and leaves no process behind.
// The caller must Close the Runtime.
func Start(ctx context.Context, path string, opts ...Option) (*Runtime, error) {
	o := options{
		functionName: "bootstrap-function",
		region:       "us-east-1",
		memoryMB:     defaultMemoryMB,
		timeout:      invoke.DefaultTimeout,
		initTimeout:  defaultInitTimeout,
		output:       io.Discard,
		logger:       slog.Default(),
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.timeout <= 0 || o.initTimeout <= 0 {
		return nil, fmt.Errorf("runtimeapi: timeouts must be positive")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("runtimeapi: %w", err)
	}
	if _, err := exec.LookPath(abs); err != nil {
		return nil, fmt.Errorf("runtimeapi: bootstrap: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtimeapi: listen: %w", err)
	}
	r := &Runtime{
		bootstrap: abs,
		opts:      o,
		arn:       fmt.Sprintf("arn:aws:lambda:%s:123456789012:function:%s", o.region, o.functionName),
		ln:        ln,
		slot:      make(chan struct{}, 1),
	}
	r.srv = &http.Server{Handler: r.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()

	r.slot <- struct{}{}
	defer func() { <-r.slot }()
	if _, _, err := r.ensureProcess(ctx); err != nil {
		_ = r.Close()
		return nil, err
	}
	return r, nil
}

// InitDuration returns the init duration of the most recently started process: from its start to its first
// request for an invocation.
func (r *Runtime) InitDuration() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.initDuration
}

// Invoke runs one invocation and returns the function's response. It implements [lambda.Handler]. A function
// error is returned as a [messages.InvokeResponse_Error] value, the one error type aws-lambda-go passes through
// unchanged, so the bootstrap's errorType survives when the Runtime serves localstack.Emulator.RegisterFunction; use
// [Runtime.InvokeReport] for an *[InvokeError] and the durations.
func (r *Runtime) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	rep, err := r.InvokeReport(ctx, payload)
	if ie, ok := errors.AsType[*InvokeError](err); ok {
		return nil, messages.InvokeResponse_Error{Type: ie.Type, Message: ie.Message, StackTrace: ie.StackTrace}
	}
	return rep.Response, err
}

// InvokeReport runs one invocation with payload as the event and reports it. It starts a process first when
// none is running (a cold start, reported in InitDuration). The invocation's deadline is the function timeout
// or ctx's deadline, whichever comes first, and its request id the one in ctx's [lambdacontext.LambdaContext]
// when there is one. A function error, a timeout and a crash return an
// *[InvokeError]; a failed cold start an *[InitError]. When ctx ends before the function answers, the process is
// killed, because it cannot be told to abandon the invocation, and ctx's error is returned.
func (r *Runtime) InvokeReport(ctx context.Context, payload []byte) (Report, error) {
	select {
	case r.slot <- struct{}{}:
	case <-ctx.Done():
		return Report{}, ctx.Err()
	}
	defer func() { <-r.slot }()

	// A caller that plays the Lambda service itself, such as an EventSourceMapping, has already chosen the
	// request id and the deadline; the bootstrap sees those, so that logs on both sides agree.
	timeout := r.opts.timeout
	if d, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(d))
	}
	inv := &pendingInvoke{
		id:       invoke.NewRequestID(),
		payload:  payload,
		deadline: time.Now().Add(timeout),
		arn:      r.arn,
		trace:    invoke.NewTraceID(),
		result:   make(chan invokeResult, 1),
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		inv.id = lc.AwsRequestID
	}
	rep := Report{RequestID: inv.id}
	timer := time.NewTimer(timeout)
	defer timer.Stop()

	// Hand the invocation to a process waiting in /next. A process that exits between invocations (after
	// reporting a panic, say) never took this one, so it goes to a fresh process, as Lambda replaces a dead
	// execution environment; a process that cannot start fails the invocation.
	var p *process
	for delivered := false; !delivered; {
		var err error
		var initDuration time.Duration
		if p, initDuration, err = r.ensureProcess(ctx); err != nil {
			return rep, err
		}
		rep.InitDuration += initDuration
		r.opts.logger.DebugContext(ctx, "START RequestId: "+inv.id+" Version: $LATEST")
		select {
		case p.next <- inv:
			delivered = true
		case <-p.exited:
			r.kill(p)
		case <-timer.C:
			r.kill(p)
			return rep, &InvokeError{RequestID: inv.id, Type: invoke.TimeoutErrorType,
				Message: fmt.Sprintf("RequestId: %s Error: the runtime did not ask for the invocation within %.2f seconds", inv.id, r.opts.timeout.Seconds())}
		case <-ctx.Done():
			return rep, ctx.Err()
		}
	}

	var res invokeResult
	select {
	case res = <-inv.result:
	case <-p.exited:
		res = invokeResult{err: r.exitError(inv.id, p), at: time.Now()}
	case <-timer.C:
		r.kill(p)
		res = invokeResult{err: &InvokeError{RequestID: inv.id, Type: invoke.TimeoutErrorType,
			Message: fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", inv.id, timeout.Seconds())}, at: time.Now()}
	case <-ctx.Done():
		r.kill(p)
		return rep, ctx.Err()
	}
	if d := p.deliveredAt(inv); !d.IsZero() {
		rep.Duration = res.at.Sub(d)
	}
	rep.Response = res.payload
	r.opts.logger.DebugContext(ctx, "END RequestId: "+inv.id)
	r.opts.logger.DebugContext(ctx, fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tMemory Size: %d MB\tInit Duration: %.2f ms",
		inv.id, float64(rep.Duration.Microseconds())/1000, r.opts.memoryMB, float64(rep.InitDuration.Microseconds())/1000))
	return rep, res.err
}

// Close kills the bootstrap process, if one runs, and stops serving the Runtime API. It waits for the process to
// exit, so no process outlives it. Close is idempotent.
func (r *Runtime) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	p := r.proc
	r.proc = nil
	r.mu.Unlock()
	if p != nil {
		proc.KillGroup(p.cmd.Process)
		<-p.exited
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.srv.Shutdown(ctx); err != nil {
		return r.srv.Close()
	}
	return nil
}

// ensureProcess returns the running process, starting one when there is none. The caller holds the slot.
func (r *Runtime) ensureProcess(ctx context.Context) (p *process, initDuration time.Duration, err error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, 0, errors.New("runtimeapi: runtime is closed")
	}
	if p := r.proc; p != nil {
		select {
		case <-p.exited:
			r.proc = nil
		default:
			r.mu.Unlock()
			return p, 0, nil
		}
	}
	r.mu.Unlock()

	p, err = r.start(ctx)
	if err != nil {
		return nil, 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		proc.KillGroup(p.cmd.Process)
		<-p.exited
		return nil, 0, errors.New("runtimeapi: runtime is closed")
	}
	r.proc = p
	r.initDuration = p.initDuration
	return p, p.initDuration, nil
}

// start launches a fresh process and waits for the end of its init phase.
func (r *Runtime) start(ctx context.Context) (*process, error) {
	p := &process{
		stderr:   proc.NewTail(stderrTail),
		initDone: make(chan struct{}),
		initErr:  make(chan *messages.InvokeResponse_Error, 1),
		next:     make(chan *pendingInvoke),
		exited:   make(chan struct{}),
	}
	cmd := exec.Command(r.bootstrap)
	cmd.Dir = filepath.Dir(r.bootstrap)
	cmd.Env = r.environ()
	cmd.Stdout = r.opts.output
	cmd.Stderr = io.MultiWriter(p.stderr, r.opts.output)
	cmd.SysProcAttr = proc.SysProcAttr()
	p.cmd = cmd

	// The server finds the process through r.proc only after init, so the init handlers reach it here.
	// started is set under the lock that publishes p, the only ordering the race detector can see between it and
	// the /next handler.
	r.mu.Lock()
	r.starting = p
	p.started = time.Now()
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.starting = nil
		r.mu.Unlock()
	}()

	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("runtimeapi: start %s: %w", r.bootstrap, err)
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()

	timer := time.NewTimer(r.opts.initTimeout)
	defer timer.Stop()
	select {
	case <-p.initDone:
		return p, nil
	case e := <-p.initErr:
		r.kill(p)
		return nil, &InitError{Type: e.Type, Message: e.Message, Stderr: p.stderr.String()}
	case <-p.exited:
		return nil, &InitError{Type: errorTypeExit, Message: fmt.Sprintf("Runtime exited with error: %v", exitText(p.waitErr)), Stderr: p.stderr.String()}
	case <-timer.C:
		r.kill(p)
		return nil, &InitError{Type: invoke.TimeoutErrorType, Message: fmt.Sprintf("init phase did not finish within %s", r.opts.initTimeout), Stderr: p.stderr.String()}
	case <-ctx.Done():
		r.kill(p)
		return nil, ctx.Err()
	}
}

// kill ends p and forgets it, so that the next invocation starts a fresh process.
func (r *Runtime) kill(p *process) {
	proc.KillGroup(p.cmd.Process)
	<-p.exited
	r.mu.Lock()
	if r.proc == p {
		r.proc = nil
	}
	r.mu.Unlock()
}

func (r *Runtime) exitError(requestID string, p *process) error {
	r.kill(p)
	return &InvokeError{RequestID: requestID, Type: errorTypeExit,
		Message: fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %s", requestID, exitText(p.waitErr))}
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// environ is the bootstrap's whole environment, modelled on a provided.al2023 function's.
func (r *Runtime) environ() []string {
	o := r.opts
	taskRoot := filepath.Dir(r.bootstrap)
	env := map[string]string{
		"AWS_LAMBDA_RUNTIME_API":          r.ln.Addr().String(),
		"AWS_LAMBDA_FUNCTION_NAME":        o.functionName,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": fmt.Sprint(o.memoryMB),
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + o.functionName,
		"AWS_LAMBDA_LOG_STREAM_NAME":      time.Now().UTC().Format("2006/01/02") + "/[$LATEST]" + strings.ReplaceAll(invoke.NewRequestID(), "-", ""),
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_REGION":                      o.region,
		"AWS_DEFAULT_REGION":              o.region,
		"_HANDLER":                        filepath.Base(r.bootstrap),
		"LAMBDA_TASK_ROOT":                taskRoot,
		"LAMBDA_RUNTIME_DIR":              "/var/runtime",
		"TZ":                              ":UTC",
		"LANG":                            "en_US.UTF-8",
		"PATH":                            "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
		"LD_LIBRARY_PATH":                 "/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:" + taskRoot + ":" + taskRoot + "/lib:/opt/lib",
	}
	for k, v := range o.env {
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}
