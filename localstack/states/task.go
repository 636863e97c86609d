package states

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/lambdakit/lambdakit/localstack/asl"
	"github.com/lambdakit/lambdakit/localstack/internal/jsonpath"
)

// TaskRunner runs the resource of a Task state: a service integration
// (arn:aws:states:::service:action[.pattern]), a Lambda function ARN or an
// activity. It returns the task's result, or fails the state: with a
// *Failure's error (see [Failure.AsError]) or, for any other error,
// States.TaskFailed with the error's text as cause. For the
// .waitForTaskToken pattern the engine waits, after RunTask returns, for
// SendTaskSuccess or SendTaskFailure with [Task.Token].
type TaskRunner interface {
	RunTask(ctx context.Context, t *Task) (any, error)
}

// TaskRunnerFunc adapts a function to [TaskRunner].
type TaskRunnerFunc func(ctx context.Context, t *Task) (any, error)

// RunTask calls f.
func (f TaskRunnerFunc) RunTask(ctx context.Context, t *Task) (any, error) { return f(ctx, t) }

// Task is one run of a Task state's resource.
type Task struct {
	// Resource is the state's Resource as written.
	Resource string
	// Service and Action name an integration: "lambda" and "invoke" for
	// arn:aws:states:::lambda:invoke; for a Lambda function ARN, "lambda"
	// and ""; for an activity, "activity" and "".
	Service, Action string
	// Pattern is "", "sync", "sync:2" or "waitForTaskToken".
	Pattern string
	// Input is the state's effective parameters (after Parameters or Arguments).
	Input any
	// Token is the task token of a .waitForTaskToken task, as $$.Task.Token gives it.
	Token string
	// ExecutionARN and StateName say where the task runs.
	ExecutionARN, StateName string
	// Region is the engine's region.
	Region string
}

// splitResource parses a Task resource into its service, action and pattern.
func splitResource(resource string) (service, action, pattern string) {
	parts := strings.SplitN(resource, ":", 7)
	if len(parts) >= 6 && parts[2] == "states" && parts[3] == "" && parts[4] == "" {
		service = parts[5]
		if len(parts) == 7 {
			action = parts[6]
		}
		if a, p, ok := strings.Cut(action, "."); ok {
			action, pattern = a, p
		}
		return service, action, pattern
	}
	if len(parts) >= 6 && parts[2] == "lambda" {
		return "lambda", "", ""
	}
	if len(parts) >= 6 && parts[2] == "states" && strings.HasPrefix(parts[5], "activity") {
		return "activity", "", ""
	}
	return "", "", ""
}

// task runs a Task state's resource once and records it: Task* events for
// integrations and activities, LambdaFunction* for a Lambda function ARN.
func (th *thread) task(ctx context.Context, w *worker, st *asl.State, run *stateRun, params any) (any, *Failure) {
	service, action, pattern := splitResource(st.Resource)
	x := th.x
	bare := service == "lambda" && action == ""
	resourceType, resourceName := service, action
	if pattern != "" {
		resourceName += "." + pattern
	}
	timeout, heartbeat, f := taskTimeouts(st, run)
	if f != nil {
		return nil, f
	}
	if bare {
		th.add(types.HistoryEventTypeLambdaFunctionScheduled, func(ev *types.HistoryEvent) {
			ev.LambdaFunctionScheduledEventDetails = &types.LambdaFunctionScheduledEventDetails{Resource: aws.String(st.Resource), Input: aws.String(marshal(params)), InputDetails: &types.HistoryEventExecutionDataDetails{}}
			if timeout > 0 {
				ev.LambdaFunctionScheduledEventDetails.TimeoutInSeconds = aws.Int64(int64(timeout / time.Second))
			}
		})
		th.add(types.HistoryEventTypeLambdaFunctionStarted, nil)
	} else {
		th.add(types.HistoryEventTypeTaskScheduled, func(ev *types.HistoryEvent) {
			d := &types.TaskScheduledEventDetails{Resource: aws.String(resourceName), ResourceType: aws.String(resourceType), Region: aws.String(x.e.opts.region), Parameters: aws.String(marshal(params))}
			if timeout > 0 {
				d.TimeoutInSeconds = aws.Int64(int64(timeout / time.Second))
			}
			if heartbeat > 0 {
				d.HeartbeatInSeconds = aws.Int64(int64(heartbeat / time.Second))
			}
			ev.TaskScheduledEventDetails = d
		})
		th.add(types.HistoryEventTypeTaskStarted, func(ev *types.HistoryEvent) {
			ev.TaskStartedEventDetails = &types.TaskStartedEventDetails{Resource: aws.String(resourceName), ResourceType: aws.String(resourceType)}
		})
	}

	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var timedOut <-chan struct{}
	if timeout > 0 {
		timedOut = startTimer(tctx, w, timeout)
	}
	var cb *callback
	if pattern == "waitForTaskToken" {
		cb = x.e.register(run.token, x)
		defer x.e.closeToken(run.token, "Provided task does not exist anymore")
	}

	runner := x.e.opts.runner
	if runner == nil {
		runner = TaskRunnerFunc(func(context.Context, *Task) (any, error) {
			return nil, (&Failure{Error: errRuntime, Cause: "The test bed's Step Functions engine has no runner for the resource " + st.Resource}).AsError()
		})
	}
	result, err := runner.RunTask(tctx, &Task{Resource: st.Resource, Service: service, Action: action, Pattern: pattern, Input: params,
		Token: run.token, ExecutionARN: x.arn, StateName: st.Name, Region: x.e.opts.region})
	select {
	case <-timedOut:
		return nil, th.taskTimedOut(bare, resourceType, resourceName, false)
	default:
	}
	if err != nil {
		return nil, th.taskFailed(bare, resourceType, resourceName, taskFailure(err))
	}
	if cb == nil {
		return th.taskSucceeded(bare, resourceType, resourceName, result)
	}
	th.add(types.HistoryEventTypeTaskSubmitted, func(ev *types.HistoryEvent) {
		ev.TaskSubmittedEventDetails = &types.TaskSubmittedEventDetails{Resource: aws.String(resourceName), ResourceType: aws.String(resourceType), Output: aws.String(marshal(result)), OutputDetails: &types.HistoryEventExecutionDataDetails{}}
	})

	// Wait for the answer, a timeout or a missed heartbeat; meanwhile
	// nothing of this worker runs, so virtual time may move.
	var (
		out         outcome
		missedBeat  bool
		gotTimedOut bool
	)
	var beat <-chan struct{}
	if heartbeat > 0 {
		beat = watchHeartbeat(tctx, w, cb, heartbeat)
	}
	w.idle(func() {
		select {
		case out = <-cb.outcome:
		case <-beat:
			missedBeat = true
		case <-timedOut:
			gotTimedOut = true
		case <-ctx.Done():
		}
	})
	switch {
	case ctx.Err() != nil:
		return nil, &Failure{Error: "States.Aborted", aborted: true}
	case missedBeat:
		return nil, th.taskTimedOut(bare, resourceType, resourceName, true)
	case gotTimedOut:
		return nil, th.taskTimedOut(bare, resourceType, resourceName, false)
	case out.failure != nil:
		return nil, th.taskFailed(bare, resourceType, resourceName, out.failure)
	}
	return th.taskSucceeded(bare, resourceType, resourceName, out.output)
}

func (th *thread) taskSucceeded(bare bool, resourceType, resource string, result any) (any, *Failure) {
	if s := marshal(result); len(s) > maxPayload {
		return nil, th.taskFailed(bare, resourceType, resource, &Failure{Error: errDataLimitExceeded,
			Cause: "The state/task '" + resource + "' returned a result with a size exceeding the maximum number of bytes service limit."})
	}
	if bare {
		th.add(types.HistoryEventTypeLambdaFunctionSucceeded, func(ev *types.HistoryEvent) {
			ev.LambdaFunctionSucceededEventDetails = &types.LambdaFunctionSucceededEventDetails{Output: aws.String(marshal(result)), OutputDetails: &types.HistoryEventExecutionDataDetails{}}
		})
	} else {
		th.add(types.HistoryEventTypeTaskSucceeded, func(ev *types.HistoryEvent) {
			ev.TaskSucceededEventDetails = &types.TaskSucceededEventDetails{Resource: aws.String(resource), ResourceType: aws.String(resourceType), Output: aws.String(marshal(result)), OutputDetails: &types.HistoryEventExecutionDataDetails{}}
		})
	}
	return result, nil
}

func (th *thread) taskFailed(bare bool, resourceType, resource string, f *Failure) *Failure {
	if bare {
		th.add(types.HistoryEventTypeLambdaFunctionFailed, func(ev *types.HistoryEvent) {
			ev.LambdaFunctionFailedEventDetails = &types.LambdaFunctionFailedEventDetails{Error: optional(f.Error), Cause: optional(f.Cause)}
		})
	} else {
		th.add(types.HistoryEventTypeTaskFailed, func(ev *types.HistoryEvent) {
			ev.TaskFailedEventDetails = &types.TaskFailedEventDetails{Resource: aws.String(resource), ResourceType: aws.String(resourceType), Error: optional(f.Error), Cause: optional(f.Cause)}
		})
	}
	return f
}

// taskTimedOut records a timeout: States.Timeout, marked as a heartbeat's
// when one was missed (AWS records both as States.Timeout).
func (th *thread) taskTimedOut(bare bool, resourceType, resource string, heartbeat bool) *Failure {
	f := &Failure{Error: errTimeout, heartbeat: heartbeat}
	if bare {
		th.add(types.HistoryEventTypeLambdaFunctionTimedOut, func(ev *types.HistoryEvent) {
			ev.LambdaFunctionTimedOutEventDetails = &types.LambdaFunctionTimedOutEventDetails{Error: aws.String(errTimeout)}
		})
	} else {
		th.add(types.HistoryEventTypeTaskTimedOut, func(ev *types.HistoryEvent) {
			ev.TaskTimedOutEventDetails = &types.TaskTimedOutEventDetails{Resource: aws.String(resource), ResourceType: aws.String(resourceType), Error: aws.String(errTimeout)}
		})
	}
	return f
}

// taskFailure turns a runner's error into the state's failure.
func taskFailure(err error) *Failure {
	if f := FailureOf(err); f != nil {
		return f
	}
	return &Failure{Error: errTaskFailed, Cause: err.Error()}
}

// taskTimeouts resolves TimeoutSeconds(Path) and HeartbeatSeconds(Path);
// the paths refer to the state's input.
func taskTimeouts(st *asl.State, run *stateRun) (timeout, heartbeat time.Duration, f *Failure) {
	timeout = time.Duration(st.TimeoutSeconds) * time.Second
	heartbeat = time.Duration(st.HeartbeatSeconds) * time.Second
	for _, p := range []struct {
		expr string
		dst  *time.Duration
	}{{st.TimeoutSecondsPath, &timeout}, {st.HeartbeatSecondsPath, &heartbeat}} {
		if p.expr == "" {
			continue
		}
		v, err := run.get(p.expr, run.input)
		if err != nil {
			return 0, 0, runtimeFailure(errRuntime, run, "Invalid path '%s' : No results for path: %s", p.expr, bracketed(p.expr))
		}
		n, ok := number(v)
		if !ok || n < 1 {
			return 0, 0, runtimeFailure(errRuntime, run, "The value of the path '%s' must be a positive integer: %s", p.expr, marshal(v))
		}
		*p.dst = time.Duration(n) * time.Second
	}
	return timeout, heartbeat, nil
}

// startTimer returns a channel closed after d of the engine's time, unless
// ctx ends first.
func startTimer(ctx context.Context, w *worker, d time.Duration) <-chan struct{} {
	fired := make(chan struct{})
	done := w.clock.Busy()
	go func() {
		defer done()
		if w.clock.Sleep(ctx, d) == nil {
			close(fired)
		}
	}()
	return fired
}

// callback is a task waiting for its token to be answered.
type callback struct {
	x       *execution
	outcome chan outcome

	mu       sync.Mutex
	lastBeat time.Time // the task's start, then its last heartbeat
}

// watchHeartbeat returns a channel closed when heartbeat has passed since
// the task's last heartbeat. SendTaskHeartbeat moves lastBeat synchronously,
// so a test that heartbeats and then advances virtual time sees it counted.
func watchHeartbeat(ctx context.Context, w *worker, cb *callback, heartbeat time.Duration) <-chan struct{} {
	missed := make(chan struct{})
	done := w.clock.Busy()
	go func() {
		defer done()
		for {
			cb.mu.Lock()
			due := cb.lastBeat.Add(heartbeat)
			cb.mu.Unlock()
			wait := due.Sub(w.clock.Now())
			if wait <= 0 {
				close(missed)
				return
			}
			if w.clock.Sleep(ctx, wait) != nil {
				return
			}
		}
	}()
	return missed
}

type outcome struct {
	output  any
	failure *Failure
}

func newToken() string {
	b := make([]byte, 96)
	_, _ = rand.Read(b)
	return "AQ" + base64.RawURLEncoding.EncodeToString(b)
}

func (e *Engine) register(token string, x *execution) *callback {
	cb := &callback{x: x, outcome: make(chan outcome, 1), lastBeat: e.clock.Now()}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tokens[token] = cb
	return cb
}

// closeToken makes a token answer TaskTimedOut from now on.
func (e *Engine) closeToken(token, reason string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.tokens, token)
	if e.closedTokens == nil {
		e.closedTokens = map[string]string{}
	}
	e.closedTokens[token] = reason
}

// dropTokens closes the tokens of an execution that ended.
func (e *Engine) dropTokens(x *execution) {
	e.mu.Lock()
	var tokens []string
	for t, cb := range e.tokens {
		if cb.x == x {
			tokens = append(tokens, t)
		}
	}
	e.mu.Unlock()
	for _, t := range tokens {
		e.closeToken(t, "Provided task does not exist anymore")
	}
}

// lookup finds the callback of a token: a token this engine never issued is
// InvalidToken; one whose task has ended (answered, timed out, its
// execution stopped) is TaskTimedOut, as on AWS.
func (e *Engine) lookup(token string) (*callback, error) {
	if token == "" || len(token) > 2048 {
		return nil, &types.InvalidToken{Message: aws.String("Invalid Token: 'Invalid token'")}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if cb, ok := e.tokens[token]; ok {
		return cb, nil
	}
	if reason, ok := e.closedTokens[token]; ok {
		return nil, &types.TaskTimedOut{Message: aws.String("Task Timed Out: '" + reason + "'")}
	}
	return nil, &types.InvalidToken{Message: aws.String("Invalid Token: 'Invalid token'")}
}

// answer delivers an outcome once; a second answer finds the token closed.
func (e *Engine) answer(token string, o outcome) error {
	cb, err := e.lookup(token)
	if err != nil {
		return err
	}
	e.mu.Lock()
	if _, open := e.tokens[token]; !open {
		e.mu.Unlock()
		return &types.TaskTimedOut{Message: aws.String("Task Timed Out: 'Provided task does not exist anymore'")}
	}
	delete(e.tokens, token)
	if e.closedTokens == nil {
		e.closedTokens = map[string]string{}
	}
	e.closedTokens[token] = "Provided task does not exist anymore"
	e.mu.Unlock()
	cb.outcome <- o
	return nil
}

// SendTaskSuccess completes the task of a .waitForTaskToken state with
// output, which must be JSON of at most 256 KiB.
func (e *Engine) SendTaskSuccess(_ context.Context, in *sfn.SendTaskSuccessInput, _ ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	raw := aws.ToString(in.Output)
	if len(raw) > maxPayload {
		return nil, &types.ValidationException{Message: aws.String("1 validation error detected: Value at 'output' failed to satisfy constraint: Member must have length less than or equal to 262144")}
	}
	doc, err := jsonpath.Decode([]byte(raw))
	if err != nil {
		return nil, &types.InvalidOutput{Message: aws.String("Invalid Output: '" + err.Error() + "'")}
	}
	if err := e.answer(aws.ToString(in.TaskToken), outcome{output: doc}); err != nil {
		return nil, err
	}
	return &sfn.SendTaskSuccessOutput{}, nil
}

// SendTaskFailure fails the task of a .waitForTaskToken state with error
// (at most 256 characters) and cause (at most 32,768).
func (e *Engine) SendTaskFailure(_ context.Context, in *sfn.SendTaskFailureInput, _ ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error) {
	if n := len([]rune(aws.ToString(in.Error))); n > 256 {
		return nil, &types.ValidationException{Message: aws.String("1 validation error detected: Value at 'error' failed to satisfy constraint: Member must have length less than or equal to 256")}
	}
	if n := len([]rune(aws.ToString(in.Cause))); n > 32768 {
		return nil, &types.ValidationException{Message: aws.String("1 validation error detected: Value at 'cause' failed to satisfy constraint: Member must have length less than or equal to 32768")}
	}
	if err := e.answer(aws.ToString(in.TaskToken), outcome{failure: &Failure{Error: aws.ToString(in.Error), Cause: aws.ToString(in.Cause)}}); err != nil {
		return nil, err
	}
	return &sfn.SendTaskFailureOutput{}, nil
}

// SendTaskHeartbeat tells a waiting task that its worker is alive, restarting
// its HeartbeatSeconds.
func (e *Engine) SendTaskHeartbeat(_ context.Context, in *sfn.SendTaskHeartbeatInput, _ ...func(*sfn.Options)) (*sfn.SendTaskHeartbeatOutput, error) {
	cb, err := e.lookup(aws.ToString(in.TaskToken))
	if err != nil {
		return nil, err
	}
	cb.mu.Lock()
	cb.lastBeat = e.clock.Now()
	cb.mu.Unlock()
	return &sfn.SendTaskHeartbeatOutput{}, nil
}
