package states

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/lambdakit/lambdakit/localstack/asl"
	"github.com/lambdakit/lambdakit/localstack/internal/clock"
)

// Engine runs Step Functions state machines in process. Its methods have the
// Step Functions client's signatures (and ignore the option functions), so
// code written against a consumer-side interface of *sfn.Client runs against
// an Engine unchanged; errors are the SDK's error types
// (*types.InvalidDefinition, *types.ExecutionAlreadyExists,
// *types.TaskTimedOut, ...). An Engine is safe for concurrent use.
type Engine struct {
	opts  options
	clock clock.Clock // now, timeouts and heartbeats
	waits clock.Clock // Wait states and Retry intervals

	mu         sync.Mutex
	machines   map[string]*stateMachine // by ARN
	executions map[string]*execution    // by ARN
	tokens     map[string]*callback     // by task token, while the task waits
	// closedTokens remembers tokens whose task has ended, with the reason
	// SendTask* gives for them.
	closedTokens map[string]string
	closed       bool
	// ops is the API\'s action table, built on the first request.
	ops     map[string]func(context.Context, []byte) (any, error)
	opsOnce sync.Once
	wg      sync.WaitGroup
	stop    context.CancelFunc
	ctx     context.Context
}

// Option configures [New].
type Option func(*options)

type options struct {
	region, account string
	runner          TaskRunner
	scale           float64
	virtual         *time.Time
}

// WithRegion sets the region in the ARNs the engine makes; the default is
// us-east-1.
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithAccount sets the account id in the ARNs the engine makes; the default
// is 123456789012.
func WithAccount(id string) Option { return func(o *options) { o.account = id } }

// WithTaskRunner sets what runs Task states' resources. Without one, every
// Task fails with States.Runtime naming the resource.
func WithTaskRunner(r TaskRunner) Option { return func(o *options) { o.runner = r } }

// WithTimeScale runs on the wall clock with Wait states and Retry intervals
// multiplied by f; 0.01 makes a 10 s Wait take 100 ms. Timeouts and
// heartbeats stay in real time, because what answers them (a worker sending
// heartbeats, a test sending a task token) acts in real time too; for exact
// control of all of them use [WithVirtualTime].
func WithTimeScale(f float64) Option { return func(o *options) { o.scale = f } }

// WithVirtualTime runs on a virtual clock starting at start: time moves only
// when no state is computing and no task runs, straight to the next due
// timer, so an hour's Wait completes at once and timeouts fire in an exact
// order. Hold time with [Engine.HoldTime] while a test must act first (for
// example, answer a task token before its heartbeat times out), or move it
// with [Engine.AdvanceTime].
func WithVirtualTime(start time.Time) Option {
	return func(o *options) { o.virtual = &start }
}

// New returns an engine with no state machines.
func New(opts ...Option) *Engine {
	o := options{region: "us-east-1", account: "123456789012", scale: 1}
	for _, opt := range opts {
		opt(&o)
	}
	e := &Engine{opts: o, machines: map[string]*stateMachine{}, executions: map[string]*execution{}, tokens: map[string]*callback{}}
	switch {
	case o.virtual != nil:
		e.clock = clock.NewVirtual(*o.virtual)
		e.waits = e.clock
	case o.scale != 1:
		e.clock, e.waits = clock.Real{}, clock.Scaled{Factor: o.scale}
	default:
		e.clock, e.waits = clock.Real{}, clock.Real{}
	}
	e.ctx, e.stop = context.WithCancel(context.Background())
	return e
}

// Close stops every running execution (they end ABORTED) and waits for them.
func (e *Engine) Close() error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.stop()
	e.wg.Wait()
	return nil
}

// Reset stops every running execution and forgets every state machine,
// execution and task token, as moto's reset does for the other services.
func (e *Engine) Reset() {
	e.mu.Lock()
	xs := make([]*execution, 0, len(e.executions))
	for _, x := range e.executions {
		xs = append(xs, x)
	}
	e.mu.Unlock()
	for _, x := range xs {
		x.cancel(&stopCause{status: types.ExecutionStatusAborted, f: Failure{Error: "States.Aborted", Cause: "the test bed was reset"}})
		<-x.done
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	clear(e.machines)
	clear(e.executions)
	clear(e.tokens)
	clear(e.closedTokens)
}

// HoldTime keeps virtual time from moving until the returned func is called;
// it does nothing on a real clock.
func (e *Engine) HoldTime() (release func()) { return e.clock.Busy() }

// AdvanceTime moves virtual time forward by d, firing what is due on the
// way. It does nothing on a real clock.
func (e *Engine) AdvanceTime(d time.Duration) {
	if v, ok := e.clock.(*clock.Virtual); ok {
		v.Advance(d)
	}
}

type stateMachine struct {
	arn, name, roleARN string
	typ                types.StateMachineType
	definition         string
	def                *asl.Definition
	created            time.Time
}

func (e *Engine) arn(resource, name string) string {
	return arn.ARN{Partition: "aws", Service: "states", Region: e.opts.region, AccountID: e.opts.account, Resource: resource + ":" + name}.String()
}

// validName reports whether name is a valid state machine or execution name:
// 1 to 80 characters, none of whitespace, brackets, wildcards, special
// punctuation or control characters.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html#StepFunctions-CreateStateMachine-request-name
func validName(name string) bool {
	if name == "" || len([]rune(name)) > 80 {
		return false
	}
	for _, r := range name {
		if r <= 0x20 || (r >= 0x7f && r <= 0x9f) || strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r) {
			return false
		}
	}
	return true
}

// CreateStateMachine validates the definition as AWS does and stores the
// state machine. Creating one that exists with the same definition, role and
// type returns the existing one, as AWS does; a different one is
// StateMachineAlreadyExists.
func (e *Engine) CreateStateMachine(_ context.Context, in *sfn.CreateStateMachineInput, _ ...func(*sfn.Options)) (*sfn.CreateStateMachineOutput, error) {
	name := aws.ToString(in.Name)
	if !validName(name) {
		return nil, &types.InvalidName{Message: aws.String("Invalid Name: '" + name + "'")}
	}
	typ := in.Type
	if typ == "" {
		typ = types.StateMachineTypeStandard
	}
	if typ != types.StateMachineTypeStandard && typ != types.StateMachineTypeExpress {
		return nil, &types.ValidationException{Message: aws.String(fmt.Sprintf("1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]", typ))}
	}
	def, err := parseDefinition(aws.ToString(in.Definition), typ)
	if err != nil {
		return nil, err
	}
	arnStr := e.arn("stateMachine", name)
	e.mu.Lock()
	defer e.mu.Unlock()
	if sm, ok := e.machines[arnStr]; ok {
		if sm.definition == aws.ToString(in.Definition) && sm.roleARN == aws.ToString(in.RoleArn) && sm.typ == typ {
			return &sfn.CreateStateMachineOutput{StateMachineArn: aws.String(arnStr), CreationDate: aws.Time(sm.created)}, nil
		}
		return nil, &types.StateMachineAlreadyExists{Message: aws.String("State Machine Already Exists: '" + arnStr + "'")}
	}
	sm := &stateMachine{arn: arnStr, name: name, roleARN: aws.ToString(in.RoleArn), typ: typ, definition: aws.ToString(in.Definition), def: def, created: e.clock.Now()}
	e.machines[arnStr] = sm
	return &sfn.CreateStateMachineOutput{StateMachineArn: aws.String(arnStr), CreationDate: aws.Time(sm.created)}, nil
}

// parseDefinition parses a definition and applies the rules that depend on
// the state machine's type; a refusal is a *types.InvalidDefinition.
func parseDefinition(definition string, typ types.StateMachineType) (*asl.Definition, error) {
	def, de := checkDefinition(definition, typ)
	if de != nil {
		return nil, invalidDefinition(de)
	}
	return def, nil
}

// checkDefinition parses a definition for a state machine of type typ.
func checkDefinition(definition string, typ types.StateMachineType) (*asl.Definition, *asl.DefinitionError) {
	def, err := asl.Parse([]byte(definition))
	if err != nil {
		var de *asl.DefinitionError
		if errors.As(err, &de) {
			return nil, de
		}
		return nil, &asl.DefinitionError{Diagnostics: []asl.Diagnostic{{Code: "SCHEMA_VALIDATION_FAILED", Message: err.Error()}}}
	}
	if typ == types.StateMachineTypeExpress {
		if d := expressDiagnostics(def, ""); len(d) > 0 {
			return nil, &asl.DefinitionError{Diagnostics: d}
		}
	}
	return def, nil
}

func invalidDefinition(err error) error {
	return &types.InvalidDefinition{Message: aws.String(err.Error())}
}

// expressDiagnostics lists what an EXPRESS state machine may not use: the
// .sync and .waitForTaskToken patterns and activities (as AWS words it in
// LocalStack's recorded test_sfn_api_express snapshots).
func expressDiagnostics(def *asl.Definition, loc string) []asl.Diagnostic {
	var out []asl.Diagnostic
	for _, name := range def.Order {
		s := def.States[name]
		sloc := loc + "/States/" + name
		switch {
		case strings.HasSuffix(s.Resource, ".waitForTaskToken"):
			out = append(out, asl.Diagnostic{Code: "SCHEMA_VALIDATION_FAILED", Message: "Express state machine does not support '.waitForTaskToken' service integration ", Location: sloc + "/Resource"})
		case strings.HasSuffix(s.Resource, ".sync") || strings.HasSuffix(s.Resource, ".sync:2"):
			out = append(out, asl.Diagnostic{Code: "SCHEMA_VALIDATION_FAILED", Message: "Express state machine does not support '.sync' service integration", Location: sloc + "/Resource"})
		case strings.Contains(s.Resource, ":activity:"):
			out = append(out, asl.Diagnostic{Code: "SCHEMA_VALIDATION_FAILED", Message: "Express state machine does not support Activity ARN", Location: sloc + "/Resource"})
		}
		for i, b := range s.Branches {
			out = append(out, expressDiagnostics(b, fmt.Sprintf("%s/Branches[%d]", sloc, i))...)
		}
		if s.ItemProcessor != nil {
			out = append(out, expressDiagnostics(s.ItemProcessor, sloc+"/ItemProcessor")...)
		}
	}
	return out
}

// ValidateStateMachineDefinition reports a definition's problems as
// diagnostics, without creating anything.
func (e *Engine) ValidateStateMachineDefinition(_ context.Context, in *sfn.ValidateStateMachineDefinitionInput, _ ...func(*sfn.Options)) (*sfn.ValidateStateMachineDefinitionOutput, error) {
	typ := in.Type
	if typ == "" {
		typ = types.StateMachineTypeStandard
	}
	out := &sfn.ValidateStateMachineDefinitionOutput{Result: types.ValidateStateMachineDefinitionResultCodeOk, Diagnostics: []types.ValidateStateMachineDefinitionDiagnostic{}}
	_, de := checkDefinition(aws.ToString(in.Definition), typ)
	if de == nil {
		return out, nil
	}
	out.Result = types.ValidateStateMachineDefinitionResultCodeFail
	for _, d := range de.Diagnostics {
		diag := types.ValidateStateMachineDefinitionDiagnostic{Code: aws.String(d.Code), Message: aws.String(d.Message), Severity: types.ValidateStateMachineDefinitionSeverityError}
		if d.Location != "" {
			diag.Location = aws.String(d.Location)
		}
		out.Diagnostics = append(out.Diagnostics, diag)
	}
	return out, nil
}

// DescribeStateMachine returns a state machine's definition and settings.
func (e *Engine) DescribeStateMachine(_ context.Context, in *sfn.DescribeStateMachineInput, _ ...func(*sfn.Options)) (*sfn.DescribeStateMachineOutput, error) {
	sm, err := e.machine(aws.ToString(in.StateMachineArn))
	if err != nil {
		return nil, err
	}
	return &sfn.DescribeStateMachineOutput{
		StateMachineArn: aws.String(sm.arn), Name: aws.String(sm.name), Definition: aws.String(sm.definition),
		RoleArn: aws.String(sm.roleARN), Type: sm.typ, CreationDate: aws.Time(sm.created),
		Status: types.StateMachineStatusActive,
	}, nil
}

// UpdateStateMachine replaces a state machine's definition or role; running
// executions keep the definition they started with.
func (e *Engine) UpdateStateMachine(_ context.Context, in *sfn.UpdateStateMachineInput, _ ...func(*sfn.Options)) (*sfn.UpdateStateMachineOutput, error) {
	sm, err := e.machine(aws.ToString(in.StateMachineArn))
	if err != nil {
		return nil, err
	}
	var def *asl.Definition
	if in.Definition != nil {
		if def, err = parseDefinition(aws.ToString(in.Definition), sm.typ); err != nil {
			return nil, err
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	updated := *sm
	if def != nil {
		updated.definition, updated.def = aws.ToString(in.Definition), def
	}
	if in.RoleArn != nil {
		updated.roleARN = aws.ToString(in.RoleArn)
	}
	e.machines[sm.arn] = &updated
	return &sfn.UpdateStateMachineOutput{UpdateDate: aws.Time(e.clock.Now())}, nil
}

// DeleteStateMachine deletes a state machine; deleting one that does not
// exist succeeds, as on AWS.
func (e *Engine) DeleteStateMachine(_ context.Context, in *sfn.DeleteStateMachineInput, _ ...func(*sfn.Options)) (*sfn.DeleteStateMachineOutput, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.machines, aws.ToString(in.StateMachineArn))
	return &sfn.DeleteStateMachineOutput{}, nil
}

// ListStateMachines lists the state machines by name.
func (e *Engine) ListStateMachines(_ context.Context, _ *sfn.ListStateMachinesInput, _ ...func(*sfn.Options)) (*sfn.ListStateMachinesOutput, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := &sfn.ListStateMachinesOutput{StateMachines: []types.StateMachineListItem{}}
	for _, sm := range e.machines {
		out.StateMachines = append(out.StateMachines, types.StateMachineListItem{StateMachineArn: aws.String(sm.arn), Name: aws.String(sm.name), Type: sm.typ, CreationDate: aws.Time(sm.created)})
	}
	slices.SortFunc(out.StateMachines, func(a, b types.StateMachineListItem) int { return strings.Compare(*a.Name, *b.Name) })
	return out, nil
}

func (e *Engine) machine(arnStr string) (*stateMachine, error) {
	if _, err := arn.Parse(arnStr); err != nil || !strings.Contains(arnStr, ":stateMachine:") {
		return nil, &types.InvalidArn{Message: aws.String("Invalid Arn: 'Resource type not valid in this context: " + arnStr + "'")}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	sm, ok := e.machines[arnStr]
	if !ok {
		return nil, &types.StateMachineDoesNotExist{Message: aws.String("State Machine Does Not Exist: '" + arnStr + "'")}
	}
	return sm, nil
}
