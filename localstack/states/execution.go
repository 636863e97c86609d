package states

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/uuid"

	"github.com/lambdakit/lambdakit/localstack/internal/jsonpath"
)

// maxPayload is Step Functions' limit on an execution's input and on a
// state's input and output: 256 KiB.
const maxPayload = 256 * 1024

// maxEvents is the most events a standard execution's history holds.
const maxEvents = 25_000

type execution struct {
	e    *Engine
	sm   *stateMachine // as it was when the execution started
	arn  string
	name string

	input    string
	inputDoc any
	start    time.Time

	ctx    context.Context
	cancel context.CancelCauseFunc
	done   chan struct{}

	mu     sync.Mutex
	events []types.HistoryEvent
	status types.ExecutionStatus
	stop   time.Time
	output *string
	errStr *string
	cause  *string
}

// stopCause is why an execution's context was cancelled.
type stopCause struct {
	status types.ExecutionStatus // ABORTED or TIMED_OUT
	f      Failure
}

func (s *stopCause) Error() string { return "states: execution " + string(s.status) }

// StartExecution starts an execution. Without a name it gets a UUID, as on
// AWS; a name in use by an execution of this state machine gives
// ExecutionAlreadyExists, unless that execution is running with the same
// input (then its ARN is returned, as AWS does for an idempotent retry).
func (e *Engine) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	sm, err := e.machine(aws.ToString(in.StateMachineArn))
	if err != nil {
		return nil, err
	}
	x, err := e.start(sm, aws.ToString(in.Name), in.Input)
	if err != nil {
		return nil, err
	}
	return &sfn.StartExecutionOutput{ExecutionArn: aws.String(x.arn), StartDate: aws.Time(x.start)}, nil
}

// StartSyncExecution runs an execution of an EXPRESS state machine to its
// end and returns its outcome, as Step Functions' synchronous Express
// workflows do; a STANDARD state machine is StateMachineTypeNotSupported.
// If ctx ends first, the execution is stopped and ctx's error returned.
func (e *Engine) StartSyncExecution(ctx context.Context, in *sfn.StartSyncExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartSyncExecutionOutput, error) {
	sm, err := e.machine(aws.ToString(in.StateMachineArn))
	if err != nil {
		return nil, err
	}
	if sm.typ != types.StateMachineTypeExpress {
		return nil, &types.StateMachineTypeNotSupported{Message: aws.String("This operation is not supported by this type of state machine")}
	}
	x, err := e.start(sm, aws.ToString(in.Name), in.Input)
	if err != nil {
		return nil, err
	}
	select {
	case <-x.done:
	case <-ctx.Done():
		x.cancel(&stopCause{status: types.ExecutionStatusAborted})
		<-x.done
		return nil, ctx.Err()
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	status := types.SyncExecutionStatus(x.status)
	out := &sfn.StartSyncExecutionOutput{
		ExecutionArn: aws.String(x.arn), StateMachineArn: aws.String(sm.arn), Name: aws.String(x.name),
		StartDate: aws.Time(x.start), StopDate: aws.Time(x.stop), Status: status,
		Input: aws.String(x.input), InputDetails: &types.CloudWatchEventsExecutionDataDetails{Included: true},
		Output: x.output, Error: x.errStr, Cause: x.cause,
		BillingDetails: &types.BillingDetails{BilledDurationInMilliseconds: max(100, x.stop.Sub(x.start).Milliseconds()), BilledMemoryUsedInMB: 64},
	}
	if x.output != nil {
		out.OutputDetails = &types.CloudWatchEventsExecutionDataDetails{Included: true}
	}
	return out, nil
}

func (e *Engine) start(sm *stateMachine, name string, input *string) (*execution, error) {
	if name == "" {
		name = uuid.NewString()
	}
	if !validName(name) {
		return nil, &types.InvalidName{Message: aws.String("Invalid Name: '" + name + "'")}
	}
	raw := "{}"
	if input != nil {
		raw = *input
	}
	if len(raw) > maxPayload {
		return nil, &types.InvalidExecutionInput{Message: aws.String("Invalid State Machine Execution Input: 'Input size exceeds the maximum allowed size of 262144 bytes'")}
	}
	doc, err := jsonpath.Decode([]byte(raw))
	if err != nil {
		return nil, &types.InvalidExecutionInput{Message: aws.String("Invalid State Machine Execution Input: '" + err.Error() + "'")}
	}
	kind := "execution"
	if sm.typ == types.StateMachineTypeExpress {
		kind = "express"
	}
	arnStr := e.arn(kind, sm.name+":"+name)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, errors.New("states: engine closed")
	}
	if old, ok := e.executions[arnStr]; ok {
		old.mu.Lock()
		same := old.status == types.ExecutionStatusRunning && old.input == raw
		old.mu.Unlock()
		if same {
			return old, nil
		}
		return nil, &types.ExecutionAlreadyExists{Message: aws.String("Execution Already Exists: '" + arnStr + "'")}
	}
	x := &execution{e: e, sm: sm, arn: arnStr, name: name, input: raw, inputDoc: doc, start: e.clock.Now(), status: types.ExecutionStatusRunning, done: make(chan struct{})}
	x.ctx, x.cancel = context.WithCancelCause(e.ctx)
	e.executions[arnStr] = x
	e.wg.Add(1)
	busy := e.clock.Busy() // taken here so that virtual time cannot move before the execution runs
	go x.run(busy)
	return x, nil
}

// run interprets the state machine and records the outcome.
func (x *execution) run(busy func()) {
	defer x.e.wg.Done()
	defer close(x.done)
	w := &worker{clock: x.e.clock, waits: x.e.waits, done: busy}
	defer func() { w.done() }()

	th := &thread{x: x}
	th.add(types.HistoryEventTypeExecutionStarted, func(ev *types.HistoryEvent) {
		ev.ExecutionStartedEventDetails = &types.ExecutionStartedEventDetails{
			Input: aws.String(x.input), InputDetails: &types.HistoryEventExecutionDataDetails{Truncated: false},
			RoleArn: aws.String(x.sm.roleARN),
		}
	})
	if t := x.sm.def.TimeoutSeconds; t > 0 {
		x.timeout(time.Duration(t)*time.Second, w)
	}
	out, f := th.runScope(x.ctx, w, x.sm.def, x.inputDoc, &scope{vars: map[string]any{}})
	var stop *stopCause
	if c := context.Cause(x.ctx); errors.As(c, &stop) {
		x.finish(th, stop.status, nil, &stop.f)
		return
	}
	if f != nil {
		x.finish(th, types.ExecutionStatusFailed, nil, f)
		return
	}
	s := marshal(out)
	x.finish(th, types.ExecutionStatusSucceeded, &s, nil)
}

// timeout ends the execution TIMED_OUT after d unless it ends first.
func (x *execution) timeout(d time.Duration, w *worker) {
	done := w.clock.Busy()
	go func() {
		defer done()
		if w.clock.Sleep(x.ctx, d) == nil {
			x.cancel(&stopCause{status: types.ExecutionStatusTimedOut, f: Failure{Error: errTimeout, Cause: "The execution timed out."}})
		}
	}()
}

func (x *execution) finish(th *thread, status types.ExecutionStatus, output *string, f *Failure) {
	switch status {
	case types.ExecutionStatusSucceeded:
		th.add(types.HistoryEventTypeExecutionSucceeded, func(ev *types.HistoryEvent) {
			ev.ExecutionSucceededEventDetails = &types.ExecutionSucceededEventDetails{Output: output, OutputDetails: &types.HistoryEventExecutionDataDetails{}}
		})
	case types.ExecutionStatusFailed:
		th.add(types.HistoryEventTypeExecutionFailed, func(ev *types.HistoryEvent) {
			ev.ExecutionFailedEventDetails = &types.ExecutionFailedEventDetails{Error: optional(f.Error), Cause: optional(f.Cause)}
		})
	case types.ExecutionStatusAborted:
		th.add(types.HistoryEventTypeExecutionAborted, func(ev *types.HistoryEvent) {
			ev.ExecutionAbortedEventDetails = &types.ExecutionAbortedEventDetails{Error: optional(f.Error), Cause: optional(f.Cause)}
		})
	case types.ExecutionStatusTimedOut:
		th.add(types.HistoryEventTypeExecutionTimedOut, func(ev *types.HistoryEvent) {
			ev.ExecutionTimedOutEventDetails = &types.ExecutionTimedOutEventDetails{Error: optional(f.Error), Cause: optional(f.Cause)}
		})
	}
	x.mu.Lock()
	x.status = status
	x.stop = x.e.clock.Now()
	x.output = output
	if f != nil {
		x.errStr, x.cause = optional(f.Error), optional(f.Cause)
	}
	x.mu.Unlock()
	x.cancel(nil)
	x.e.dropTokens(x)
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// thread is one line of events in a history: the execution's, or a Parallel
// branch's or Map iteration's, whose previousEventId chain it keeps.
type thread struct {
	x    *execution
	last int64
	// discard drops the events: a Map Run's child executions keep theirs
	// out of the parent's history.
	discard bool
}

// add appends an event after this thread's last one.
func (th *thread) add(typ types.HistoryEventType, fill func(*types.HistoryEvent)) int64 {
	if th.discard {
		return 0
	}
	x := th.x
	x.mu.Lock()
	defer x.mu.Unlock()
	id := int64(len(x.events) + 1)
	ev := types.HistoryEvent{Id: id, PreviousEventId: th.last, Timestamp: aws.Time(x.e.clock.Now()), Type: typ}
	if fill != nil {
		fill(&ev)
	}
	x.events = append(x.events, ev)
	th.last = id
	if len(x.events) >= maxEvents && x.status == types.ExecutionStatusRunning {
		x.cancel(&stopCause{status: types.ExecutionStatusFailed, f: Failure{Error: errRuntime,
			Cause: "The execution reached the maximum number of history events (" + strconv.Itoa(maxEvents) + ")."}})
	}
	return id
}

// fork starts a thread whose first event follows this thread's last.
func (th *thread) fork() *thread { return &thread{x: th.x, last: th.last, discard: th.discard} }

// DescribeExecution returns an execution's status, input and, once it has
// ended, its output or error and cause.
func (e *Engine) DescribeExecution(_ context.Context, in *sfn.DescribeExecutionInput, _ ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	x, err := e.execution(aws.ToString(in.ExecutionArn))
	if err != nil {
		return nil, err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	out := &sfn.DescribeExecutionOutput{
		ExecutionArn: aws.String(x.arn), StateMachineArn: aws.String(x.sm.arn), Name: aws.String(x.name),
		Status: x.status, StartDate: aws.Time(x.start), Input: aws.String(x.input),
		InputDetails: &types.CloudWatchEventsExecutionDataDetails{Included: true},
		Output:       x.output, Error: x.errStr, Cause: x.cause,
	}
	if x.output != nil {
		out.OutputDetails = &types.CloudWatchEventsExecutionDataDetails{Included: true}
	}
	if x.status != types.ExecutionStatusRunning {
		out.StopDate = aws.Time(x.stop)
	}
	return out, nil
}

// StopExecution aborts a running execution with the error and cause given
// and waits until it has ended ABORTED; its task tokens stop being valid.
// For an execution that has already ended it returns that end's date.
func (e *Engine) StopExecution(_ context.Context, in *sfn.StopExecutionInput, _ ...func(*sfn.Options)) (*sfn.StopExecutionOutput, error) {
	x, err := e.execution(aws.ToString(in.ExecutionArn))
	if err != nil {
		return nil, err
	}
	x.cancel(&stopCause{status: types.ExecutionStatusAborted, f: Failure{Error: aws.ToString(in.Error), Cause: aws.ToString(in.Cause)}})
	<-x.done
	x.mu.Lock()
	defer x.mu.Unlock()
	return &sfn.StopExecutionOutput{StopDate: aws.Time(x.stop)}, nil
}

// GetExecutionHistory returns an execution's events, oldest first or, with
// ReverseOrder, newest first, in pages of MaxResults (default and maximum
// 1000) continued by NextToken.
func (e *Engine) GetExecutionHistory(_ context.Context, in *sfn.GetExecutionHistoryInput, _ ...func(*sfn.Options)) (*sfn.GetExecutionHistoryOutput, error) {
	x, err := e.execution(aws.ToString(in.ExecutionArn))
	if err != nil {
		return nil, err
	}
	x.mu.Lock()
	events := slices.Clone(x.events)
	x.mu.Unlock()
	if in.ReverseOrder {
		slices.Reverse(events)
	}
	size := int(in.MaxResults)
	if size <= 0 || size > 1000 {
		size = 1000
	}
	from := 0
	if t := aws.ToString(in.NextToken); t != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(t, "page-"))
		if err != nil || n < 0 || n > len(events) {
			return nil, &types.InvalidToken{Message: aws.String("Invalid Token: '" + t + "'")}
		}
		from = n
	}
	to := min(from+size, len(events))
	out := &sfn.GetExecutionHistoryOutput{Events: events[from:to]}
	if to < len(events) {
		out.NextToken = aws.String("page-" + strconv.Itoa(to))
	}
	return out, nil
}

// ListExecutions lists a state machine's executions, newest first,
// optionally only those with StatusFilter.
func (e *Engine) ListExecutions(_ context.Context, in *sfn.ListExecutionsInput, _ ...func(*sfn.Options)) (*sfn.ListExecutionsOutput, error) {
	sm, err := e.machine(aws.ToString(in.StateMachineArn))
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	var xs []*execution
	for _, x := range e.executions {
		if x.sm.arn == sm.arn {
			xs = append(xs, x)
		}
	}
	e.mu.Unlock()
	slices.SortFunc(xs, func(a, b *execution) int { return b.start.Compare(a.start) })
	out := &sfn.ListExecutionsOutput{Executions: []types.ExecutionListItem{}}
	for _, x := range xs {
		x.mu.Lock()
		item := types.ExecutionListItem{ExecutionArn: aws.String(x.arn), StateMachineArn: aws.String(sm.arn), Name: aws.String(x.name), Status: x.status, StartDate: aws.Time(x.start)}
		if x.status != types.ExecutionStatusRunning {
			item.StopDate = aws.Time(x.stop)
		}
		x.mu.Unlock()
		if in.StatusFilter == "" || in.StatusFilter == item.Status {
			out.Executions = append(out.Executions, item)
		}
	}
	return out, nil
}

func (e *Engine) execution(arnStr string) (*execution, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	x, ok := e.executions[arnStr]
	if !ok {
		if !strings.Contains(arnStr, ":execution:") && !strings.Contains(arnStr, ":express:") {
			return nil, &types.InvalidArn{Message: aws.String("Invalid Arn: 'Resource type not valid in this context: " + arnStr + "'")}
		}
		return nil, &types.ExecutionDoesNotExist{Message: aws.String("Execution Does Not Exist: '" + arnStr + "'")}
	}
	return x, nil
}

// marshal encodes a value as compact JSON as Step Functions prints it.
func marshal(v any) string { return jsonpath.Encode(v) }
