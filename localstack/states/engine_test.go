package states

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"
)

var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// run creates a state machine from definition, runs one execution with input
// to its end on a virtual clock and returns its description and history.
func run(t *testing.T, definition, input string, runner TaskRunner) (*sfn.DescribeExecutionOutput, []types.HistoryEvent) {
	t.Helper()
	e := New(WithVirtualTime(start), WithTaskRunner(runner))
	t.Cleanup(func() { _ = e.Close() })
	return runOn(t, e, definition, input)
}

func runOn(t *testing.T, e *Engine, definition, input string) (*sfn.DescribeExecutionOutput, []types.HistoryEvent) {
	t.Helper()
	ctx := t.Context()
	sm, err := e.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("sm"), Definition: aws.String(definition), RoleArn: aws.String("arn:aws:iam::123456789012:role/r")})
	if err != nil {
		t.Fatalf("CreateStateMachine: %v", err)
	}
	x, err := e.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(input)})
	if err != nil {
		t.Fatalf("StartExecution: %v", err)
	}
	return wait(t, e, aws.ToString(x.ExecutionArn))
}

func wait(t *testing.T, e *Engine, arn string) (*sfn.DescribeExecutionOutput, []types.HistoryEvent) {
	t.Helper()
	x, err := e.execution(arn)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-x.done:
	case <-time.After(10 * time.Second):
		t.Fatal("execution did not end")
	}
	d, err := e.DescribeExecution(t.Context(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	h, err := e.GetExecutionHistory(t.Context(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	return d, h.Events
}

func eventTypes(evs []types.HistoryEvent) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, string(ev.Type))
	}
	return out
}

// jsonEqual compares two JSON texts as values.
func jsonEqual(t *testing.T, want, got string) bool {
	t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want %q: %v", want, err)
	}
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		return false
	}
	return cmp.Equal(w, g)
}

// outcome is what a conformance case asserts about an execution.
type want struct {
	status types.ExecutionStatus
	output string // JSON, compared as a value; "" to skip
	err    string
	cause  string // a prefix of the cause; "" to skip
	events []string
	// unordered compares events as a multiset: concurrent branches and
	// iterations interleave.
	unordered bool
}

func check(t *testing.T, w want, d *sfn.DescribeExecutionOutput, evs []types.HistoryEvent) {
	t.Helper()
	if d.Status != w.status {
		t.Errorf("status %s, want %s (error %q, cause %q)", d.Status, w.status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	if w.output != "" && !jsonEqual(t, w.output, aws.ToString(d.Output)) {
		t.Errorf("output %s, want %s", aws.ToString(d.Output), w.output)
	}
	if aws.ToString(d.Error) != w.err {
		t.Errorf("error %q, want %q", aws.ToString(d.Error), w.err)
	}
	if !strings.HasPrefix(aws.ToString(d.Cause), w.cause) {
		t.Errorf("cause %q, want it to start with %q", aws.ToString(d.Cause), w.cause)
	}
	if w.events != nil {
		got, wantEvents := eventTypes(evs), w.events
		if w.unordered {
			got, wantEvents = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(wantEvents))
		}
		if diff := cmp.Diff(wantEvents, got); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
	}
}

// echo is a runner that returns its input.
var echo = TaskRunnerFunc(func(_ context.Context, t *Task) (any, error) { return t.Input, nil })

// TestConformanceJSONPath runs cases written from the States Language spec
// and the developer guide's input and output processing pages. Each case
// names its source.
func TestConformanceJSONPath(t *testing.T) {
	tests := []struct {
		name, def, input string
		runner           TaskRunner
		want
	}{
		{
			// spec: Pass state, Result and ResultPath.
			name:  "pass result at result path",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.r","End":true}}}`,
			input: `{"a":1}`,
			want: want{status: "SUCCEEDED", output: `{"a":1,"r":{"x":1}}`, events: []string{
				"ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"}},
		},
		{
			// developer guide, "InputPath, Parameters and ResultSelector".
			name:  "input path, parameters, output path",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$.order","Parameters":{"id.$":"$.id","exec.$":"$$.Execution.Name","const":"c"},"OutputPath":"$.id","End":true}}}`,
			input: `{"order":{"id":"o-1","total":3}}`,
			want:  want{status: "SUCCEEDED", output: `"o-1"`},
		},
		{
			name:  "null paths",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":null,"ResultPath":null,"End":true}}}`,
			input: `{"keep":true}`,
			want:  want{status: "SUCCEEDED", output: `{"keep":true}`},
		},
		{
			name:  "output path null gives an empty object",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","OutputPath":null,"End":true}}}`,
			input: `{"a":1}`,
			want:  want{status: "SUCCEEDED", output: `{}`},
		},
		{
			// LocalStack's AWS-recorded test_base_scenarios: missing InputPath.
			name:  "input path not found",
			def:   `{"StartAt":"pass","States":{"pass":{"Type":"Pass","InputPath":"$.NoSuchInputPath","End":true}}}`,
			input: `{}`,
			want: want{status: "FAILED", err: "States.Runtime",
				cause: "An error occurred while executing the state 'pass' (entered at the event id #2). Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"},
		},
		{
			// LocalStack's AWS-recorded snapshot: a Parameters path that is not in the input.
			name:  "parameters path not found",
			def:   `{"StartAt":"pass","States":{"pass":{"Type":"Pass","Parameters":{"value.$":"$.no_such_jsonpath"},"End":true}}}`,
			input: `{"a":1}`,
			want: want{status: "FAILED", err: "States.Runtime",
				cause: "An error occurred while executing the state 'pass' (entered at the event id #2). The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"a\":1}'"},
		},
		{
			name:  "intrinsic in parameters",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"greeting.$":"States.Format('Hello, {}!', $.name)","n.$":"States.MathAdd($.a, 2)"},"End":true}}}`,
			input: `{"name":"Ada","a":40}`,
			want:  want{status: "SUCCEEDED", output: `{"greeting":"Hello, Ada!","n":42}`},
		},
		{
			// spec: Choice state example.
			name: "choice with and, not and numeric ranges",
			def: `{"StartAt":"C","States":{"C":{"Type":"Choice","Default":"D","Choices":[
				{"Not":{"Variable":"$.type","StringEquals":"Private"},"Next":"Public"},
				{"And":[{"Variable":"$.value","NumericGreaterThanEquals":20},{"Variable":"$.value","NumericLessThan":30}],"Next":"Range"}]},
				"Public":{"Type":"Pass","Result":"public","End":true},"Range":{"Type":"Pass","Result":"range","End":true},"D":{"Type":"Pass","Result":"default","End":true}}}`,
			input: `{"type":"Private","value":20.0}`,
			want:  want{status: "SUCCEEDED", output: `"range"`},
		},
		{
			name:  "choice no match",
			def:   `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.x","BooleanEquals":true,"Next":"S"}]},"S":{"Type":"Succeed"}}}`,
			input: `{"x":false}`,
			want:  want{status: "FAILED", err: "States.NoChoiceMatched"},
		},
		{
			name: "choice is operators and path comparison",
			def: `{"StartAt":"C","States":{"C":{"Type":"Choice","Default":"No","Choices":[
				{"And":[{"Variable":"$.missing","IsPresent":false},{"Variable":"$.n","IsNumeric":true},{"Variable":"$.t","IsTimestamp":true},
				{"Variable":"$.n","NumericEqualsPath":"$.m"},{"Variable":"$.s","StringMatches":"log-*.txt"}],"Next":"Yes"}]},
				"Yes":{"Type":"Succeed"},"No":{"Type":"Fail","Error":"NoMatch"}}}`,
			input: `{"n":1,"m":1.0,"t":"2016-03-14T01:59:00Z","s":"log-2026.txt"}`,
			want:  want{status: "SUCCEEDED"},
		},
		{
			name:  "fail with error and cause",
			def:   `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Custom","Cause":"because"}}}`,
			input: `{}`,
			want:  want{status: "FAILED", err: "Custom", cause: "because", events: []string{"ExecutionStarted", "FailStateEntered", "ExecutionFailed"}},
		},
		{
			name:  "fail with paths",
			def:   `{"StartAt":"F","States":{"F":{"Type":"Fail","ErrorPath":"$.e","CausePath":"States.Format('code {}', $.c)"}}}`,
			input: `{"e":"E1","c":7}`,
			want:  want{status: "FAILED", err: "E1", cause: "code 7"},
		},
		{
			// virtual time: an hour's wait ends at once.
			name:  "wait an hour",
			def:   `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"Next":"S"},"S":{"Type":"Succeed"}}}`,
			input: `{"a":1}`,
			want: want{status: "SUCCEEDED", output: `{"a":1}`, events: []string{
				"ExecutionStarted", "WaitStateEntered", "WaitStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"}},
		},
		{
			// LocalStack's AWS-recorded test_wait snapshot.
			name:  "wait seconds path missing",
			def:   `{"StartAt":"WaitState","States":{"WaitState":{"Type":"Wait","SecondsPath":"$.input.waitSeconds","End":true}}}`,
			input: `{}`,
			want: want{status: "FAILED", err: "States.Runtime",
				cause: "An error occurred while executing the state 'WaitState' (entered at the event id #2). The SecondsPath parameter does not reference an input value: $.input.waitSeconds"},
		},
		{
			name:   "task result selector and result path",
			def:    `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"Payload.$":"$"},"ResultSelector":{"p.$":"$.Payload"},"ResultPath":"$.out","End":true}}}`,
			input:  `{"a":1}`,
			runner: echo,
			want: want{status: "SUCCEEDED", output: `{"a":1,"out":{"p":{"a":1}}}`, events: []string{
				"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"}},
		},
		{
			name:   "bare lambda ARN",
			def:    `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}}}`,
			input:  `{"a":1}`,
			runner: echo,
			want: want{status: "SUCCEEDED", output: `{"a":1}`, events: []string{
				"ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited", "ExecutionSucceeded"}},
		},
		{
			name:  "task without runner",
			def:   `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::glue:startJobRun","End":true}}}`,
			input: `{}`,
			want:  want{status: "FAILED", err: "States.Runtime", cause: "The test bed's Step Functions engine has no runner for the resource arn:aws:states:::glue:startJobRun"},
		},
		{
			// spec: Retry then Catch; the catcher's ResultPath keeps the input.
			name: "retry then catch",
			def: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,
				"Retry":[{"ErrorEquals":["Transient"],"MaxAttempts":2,"IntervalSeconds":60}],
				"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"H"}]},"H":{"Type":"Pass","End":true}}}`,
			input:  `{"a":1}`,
			runner: failing("Transient", "try later"),
			want: want{status: "SUCCEEDED", output: `{"a":1,"error":{"Error":"Transient","Cause":"try later"}}`, events: []string{
				"ExecutionStarted", "TaskStateEntered",
				"TaskScheduled", "TaskStarted", "TaskFailed",
				"TaskScheduled", "TaskStarted", "TaskFailed",
				"TaskScheduled", "TaskStarted", "TaskFailed",
				"TaskStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"}},
		},
		{
			name:   "max attempts 0 never retries",
			def:    `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,"Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":0}]}}}`,
			input:  `{}`,
			runner: failing("Boom", "once"),
			want:   want{status: "FAILED", err: "Boom", cause: "once", events: []string{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed", "ExecutionFailed"}},
		},
		{
			name:   "a plain Go error is States.TaskFailed",
			def:    `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,"Catch":[{"ErrorEquals":["States.TaskFailed"],"Next":"H"}]},"H":{"Type":"Pass","End":true}}}`,
			input:  `{}`,
			runner: TaskRunnerFunc(func(context.Context, *Task) (any, error) { return nil, errors.New("disk full") }),
			want:   want{status: "SUCCEEDED", output: `{"Error":"States.TaskFailed","Cause":"disk full"}`},
		},
		{
			name:   "task timeout",
			def:    `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","TimeoutSeconds":5,"Parameters":{"t.$":"$$.Task.Token"},"End":true}}}`,
			input:  `{}`,
			runner: echo,
			want: want{status: "FAILED", err: "States.Timeout", events: []string{
				"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskTimedOut", "ExecutionFailed"}},
		},
		{
			// LocalStack's AWS-recorded test_heartbeats: a missed heartbeat is
			// TaskTimedOut with States.Timeout.
			name:   "heartbeat timeout",
			def:    `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","TimeoutSeconds":600,"HeartbeatSeconds":5,"Parameters":{"t.$":"$$.Task.Token"},"End":true}}}`,
			input:  `{}`,
			runner: echo,
			want: want{status: "FAILED", err: "States.Timeout", events: []string{
				"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskTimedOut", "ExecutionFailed"}},
		},
		{
			// The developer guide: States.HeartbeatTimeout in a Catch matches a missed heartbeat.
			name: "catch heartbeat timeout",
			def: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","HeartbeatSeconds":5,"Parameters":{"t.$":"$$.Task.Token"},"End":true,
				"Catch":[{"ErrorEquals":["States.HeartbeatTimeout"],"Next":"H"}]},"H":{"Type":"Pass","End":true}}}`,
			input:  `{}`,
			runner: echo,
			want:   want{status: "SUCCEEDED", output: `{"Error":"States.Timeout","Cause":""}`},
		},
		{
			name: "parallel keeps branch order",
			def: `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
				{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"Next":"A"},"A":{"Type":"Pass","Result":"slow","End":true}}},
				{"StartAt":"B","States":{"B":{"Type":"Pass","Result":"fast","End":true}}}]}}}`,
			input: `{}`,
			want:  want{status: "SUCCEEDED", output: `["slow","fast"]`},
		},
		{
			name: "parallel branch failure",
			def: `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
				{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}},
				{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"BranchBroke","Cause":"x"}}}]}}}`,
			input: `{}`,
			want:  want{status: "FAILED", err: "BranchBroke", cause: "x"},
		},
		{
			name: "inline map with item selector",
			def: `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,
				"ItemSelector":{"v.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index","k.$":"$.k"},
				"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"ResultPath":"$.out","End":true}}}`,
			input: `{"k":"key","items":["a","b","c"]}`,
			want:  want{status: "SUCCEEDED", output: `{"k":"key","items":["a","b","c"],"out":[{"v":"a","i":0,"k":"key"},{"v":"b","i":1,"k":"key"},{"v":"c","i":2,"k":"key"}]}`},
		},
		{
			// LocalStack's AWS-recorded snapshot: the items must be an array.
			name:  "map over a non-array",
			def:   `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
			input: `{"a":1}`,
			want:  want{status: "FAILED", err: "States.Runtime", cause: "An error occurred while executing the state 'M' (entered at the event id #2). Map state input must be an array but was: {\"a\":1}"},
		},
		{
			name: "distributed map tolerates failures",
			def: `{"StartAt":"M","States":{"M":{"Type":"Map","ToleratedFailureCount":1,"End":true,
				"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"C","States":{
				"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericEquals":2,"Next":"F"}],"Default":"P"},
				"F":{"Type":"Fail","Error":"Bad"},"P":{"Type":"Pass","End":true}}}}}}`,
			input: `[1,2,3]`,
			want:  want{status: "SUCCEEDED", output: `[1,null,3]`},
		},
		{
			name: "distributed map over its threshold",
			def: `{"StartAt":"M","States":{"M":{"Type":"Map","ToleratedFailureCount":1,"End":true,
				"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Bad"}}}}}}`,
			input: `[1,2,3]`,
			want:  want{status: "FAILED", err: "States.ExceedToleratedFailureThreshold", cause: "The specified tolerated failure threshold was exceeded"},
		},
		{
			// LocalStack's AWS-recorded test_timeouts: when one iteration fails,
			// the running ones record TaskStateAborted and MapIterationAborted.
			name: "a failed iteration aborts the others",
			def: `{"StartAt":"M","States":{"M":{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"C","States":{
				"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericEquals":0,"Next":"Soon"}],"Default":"W"},
				"Soon":{"Type":"Wait","Seconds":1,"Next":"F"},
				"F":{"Type":"Fail","Error":"Broke"},"W":{"Type":"Wait","Seconds":60,"End":true}}}}}}`,
			input: `[0,1]`,
			// Virtual time reaches 1 s only once both iterations wait, so the
			// second one is surely in its 60 s Wait when the first fails.
			want: want{status: "FAILED", err: "Broke", events: []string{"ExecutionStarted", "MapStateEntered", "MapStateStarted",
				"MapIterationStarted", "ChoiceStateEntered", "ChoiceStateExited", "WaitStateEntered", "WaitStateExited", "FailStateEntered", "MapIterationFailed",
				"MapIterationStarted", "ChoiceStateEntered", "ChoiceStateExited", "WaitStateEntered", "WaitStateAborted", "MapIterationAborted",
				"MapStateFailed", "ExecutionFailed"}, unordered: true},
		},
		{
			name:  "execution timeout",
			def:   `{"TimeoutSeconds":5,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`,
			input: `{}`,
			want:  want{status: "TIMED_OUT", err: "States.Timeout", events: []string{"ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut"}},
		},
		// JSONata: from the developer guide's "Transforming data with JSONata"
		// and LocalStack's AWS-recorded evaluate_jsonata and assign snapshots.
		{
			name: "jsonata arguments, output and states",
			def: `{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
				"Arguments":{"Payload":"{% $states.input.n * 2 %}","Name":"{% $states.context.Execution.Name %}"},
				"Output":"{% {'doubled': $states.result.Payload, 'was': $states.input.n} %}","Assign":{"last":"{% $states.result.Payload %}"},"Next":"P"},
				"P":{"Type":"Pass","Output":"{% $merge([$states.input, {'last': $last}]) %}","End":true}}}`,
			input:  `{"n":21}`,
			runner: echo,
			want:   want{status: "SUCCEEDED", output: `{"doubled":42,"was":21,"last":42}`},
		},
		{
			name: "jsonata choice conditions",
			def: `{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
				{"Condition":"{% $states.input.n > 10 %}","Next":"Big"}],"Default":"Small"},
				"Big":{"Type":"Pass","Output":"big","End":true},"Small":{"Type":"Pass","Output":"small","End":true}}}`,
			input: `{"n":11}`,
			want:  want{status: "SUCCEEDED", output: `"big"`},
		},
		{
			// LocalStack's AWS-recorded test_undefined_output snapshot wording.
			name:  "jsonata undefined output",
			def:   `{"QueryLanguage":"JSONata","StartAt":"State0","States":{"State0":{"Type":"Pass","Output":"{% $doesNotExist %}","End":true}}}`,
			input: `{}`,
			want: want{status: "FAILED", err: "States.QueryEvaluationError",
				cause: "An error occurred while executing the state 'State0' (entered at the event id #2). The JSONata expression '$doesNotExist' specified for the field 'Output' returned nothing (undefined)."},
		},
		{
			name: "jsonata map items and item selector",
			def: `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":"{% $states.input.xs %}",
				"ItemSelector":{"v":"{% $states.context.Map.Item.Value * 10 %}"},
				"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
			input: `{"xs":[1,2]}`,
			want:  want{status: "SUCCEEDED", output: `[{"v":10},{"v":20}]`},
		},
		{
			// LocalStack's AWS-recorded test_map_state_items_input_types wording.
			name:  "jsonata map items not an array",
			def:   `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":"{% $states.input.x %}","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
			input: `{"x":"text"}`,
			want: want{status: "FAILED", err: "States.QueryEvaluationError",
				cause: "An error occurred while executing the state 'M' (entered at the event id #2). The JSONata expression '$states.input.x' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'string' for value: \"text\""},
		},
		{
			name: "jsonata catch output with errorOutput",
			def: `{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,
				"Catch":[{"ErrorEquals":["States.ALL"],"Output":"{% {'caught': $states.errorOutput.Error} %}","Next":"H"}]},"H":{"Type":"Pass","End":true}}}`,
			input:  `{}`,
			runner: failing("Boom", "x"),
			want:   want{status: "SUCCEEDED", output: `{"caught":"Boom"}`},
		},
		// Variables: the cases of LocalStack's AWS-recorded test_assign_base and
		// test_assign_reference_variables snapshots (templates/assign/*.json5).
		{
			name:  "assign from the result",
			def:   `{"StartAt":"State0","States":{"State0":{"Type":"Pass","Result":{"answer":42},"Assign":{"theAnswer.$":"$.answer"},"Next":"State1"},"State1":{"Type":"Pass","OutputPath":"$theAnswer","End":true}}}`,
			input: `{}`,
			want:  want{status: "SUCCEEDED", output: `42`},
		},
		{
			name:  "reference in InputPath",
			def:   `{"StartAt":"State0","States":{"State0":{"Type":"Pass","Assign":{"theAnswer":42},"Next":"State1"},"State1":{"Type":"Pass","InputPath":"$theAnswer","End":true}}}`,
			input: `{}`,
			want:  want{status: "SUCCEEDED", output: `42`},
		},
		{
			// A state's references read the values it was entered with; its own
			// Assign takes effect after it.
			name: "evaluation order",
			def: `{"StartAt":"State0","States":{"State0":{"Type":"Pass","Result":{"theQuestion":"What?"},"Assign":{"question.$":"$.theQuestion","answer":42},"Next":"State1"},
				"State1":{"Type":"Pass","InputPath":"$answer","ResultPath":"$.theAnswer","OutputPath":"$answer","Assign":{"answer":"<omitted>"},"End":true}}}`,
			input: `{}`,
			want:  want{status: "SUCCEEDED", output: `42`},
		},
		{
			name: "assign from parameters",
			def: `{"StartAt":"State0","States":{"State0":{"Type":"Pass","Parameters":{"input":"PENDING"},"Assign":{"result.$":"$.input"},"Next":"State1"},
				"State1":{"Type":"Pass","Assign":{"result":"SUCCESS","originalResult.$":"$.input"},"Next":"State2"},
				"State2":{"Type":"Pass","Parameters":{"r.$":"$result","o.$":"$originalResult"},"End":true}}}`,
			input: `{}`,
			want:  want{status: "SUCCEEDED", output: `{"r":"SUCCESS","o":"PENDING"}`},
		},
		{
			name:  "reference in Fail",
			def:   `{"StartAt":"Pass","States":{"Pass":{"Type":"Pass","Assign":{"errorVar":"Exception","causeVar":"An Exception was encountered"},"Next":"Fail"},"Fail":{"Type":"Fail","CausePath":"$causeVar","ErrorPath":"$errorVar"}}}`,
			input: `{}`,
			want:  want{status: "FAILED", err: "Exception", cause: "An Exception was encountered"},
		},
		{
			name: "a Map iteration reads the outer scope",
			def: `{"StartAt":"State0","States":{"State0":{"Type":"Pass","Assign":{"x":42,"items":[1,2,3]},"Next":"State1"},
				"State1":{"Type":"Map","ItemsPath":"$items","MaxConcurrency":1,"ItemProcessor":{"StartAt":"Inner","States":{"Inner":{"Type":"Pass","Assign":{"innerX.$":"$x"},"End":true}}},"Next":"State2"},
				"State2":{"Type":"Pass","Assign":{"final.$":"$x"},"Parameters":{"f.$":"$x"},"End":true}}}`,
			input: `{}`,
			want:  want{status: "SUCCEEDED", output: `{"f":42}`},
		},
		{
			name: "assign in a Choice rule and for Default",
			def: `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
				{"Variable":"$.input_value","IsPresent":false,"Assign":{"status":"UNKNOWN"},"Next":"F"},
				{"Variable":"$.input_value","NumericEquals":42,"Assign":{"status":"CORRECT"},"Next":"F"}],
				"Assign":{"status":"INCORRECT","guess.$":"$.input_value"},"Default":"F"},
				"F":{"Type":"Pass","Parameters":{"result.$":"$status"},"End":true}}}`,
			input: `{"input_value":42}`,
			want:  want{status: "SUCCEEDED", output: `{"result":"CORRECT"}`},
		},
		{
			name: "a variable in an intrinsic function",
			def: `{"StartAt":"S","States":{"S":{"Type":"Pass","Assign":{"tpl":"It's {}!","name":"Pikachu"},"Next":"T"},
				"T":{"Type":"Pass","Parameters":{"Answer.$":"States.Format($tpl, $name)"},"End":true}}}`,
			input: `{}`,
			want:  want{status: "SUCCEEDED", output: `{"Answer":"It's Pikachu!"}`},
		},
		{
			name:  "an undefined variable",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$nope","End":true}}}`,
			input: `{}`,
			want:  want{status: "FAILED", err: "States.Runtime"},
		},
		{
			name:  "result path into a non-object",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":1,"ResultPath":"$.a.b","End":true}}}`,
			input: `{"a":"text"}`,
			want:  want{status: "FAILED", err: "States.ResultPathMatchFailure"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, evs := run(t, tt.def, tt.input, tt.runner)
			check(t, tt.want, d, evs)
		})
	}
}

// failing is a runner that fails every task with a Failure.
func failing(name, cause string) TaskRunner {
	return TaskRunnerFunc(func(context.Context, *Task) (any, error) {
		return nil, (&Failure{Error: name, Cause: cause}).AsError()
	})
}

// TestUnnamedExecutions: StartExecution without a name generates a UUID, so
// that two unnamed starts are two executions (moto answered :None and then
// ExecutionAlreadyExists).
func TestUnnamedExecutions(t *testing.T) {
	e := New(WithVirtualTime(start))
	defer e.Close()
	ctx := t.Context()
	sm, err := e.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("sm"), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
		Definition: aws.String(`{"StartAt":"S","States":{"S":{"Type":"Succeed"}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for range 2 {
		x, err := e.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn})
		if err != nil {
			t.Fatalf("StartExecution without a name: %v", err)
		}
		name := aws.ToString(x.ExecutionArn)[strings.LastIndex(aws.ToString(x.ExecutionArn), ":")+1:]
		if len(name) != 36 || strings.Count(name, "-") != 4 {
			t.Errorf("generated name %q is not a UUID", name)
		}
		seen[name] = true
	}
	if len(seen) != 2 {
		t.Errorf("two unnamed starts gave %d executions", len(seen))
	}
}

// TestAPIErrors: the errors AWS answers, as the SDK's types.
func TestAPIErrors(t *testing.T) {
	e := New(WithVirtualTime(start), WithTaskRunner(echo))
	defer e.Close()
	ctx := t.Context()
	role := aws.String("arn:aws:iam::123456789012:role/r")
	_, err := e.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("bad"), RoleArn: role,
		Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nope"}}}`)})
	var invalid *types.InvalidDefinition
	if !errors.As(err, &invalid) || !strings.Contains(invalid.ErrorMessage(), "MISSING_TRANSITION_TARGET") {
		t.Errorf("CreateStateMachine with a missing target: %v, want InvalidDefinition", err)
	}
	sm, err := e.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("sm"), RoleArn: role,
		Definition: aws.String(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"t.$":"$$.Task.Token"},"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String("not json")})
	if bad := new(types.InvalidExecutionInput); !errors.As(err, &bad) {
		t.Errorf("StartExecution with input that is not JSON: %v, want InvalidExecutionInput", err)
	}
	x, err := e.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("one")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("one"), Input: aws.String(`{"other":1}`)}); !errors.As(err, new(*types.ExecutionAlreadyExists)) {
		t.Errorf("a second start with the name and another input: %v, want ExecutionAlreadyExists", err)
	}
	token := waitToken(t, e, aws.ToString(x.ExecutionArn))
	if _, err := e.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String("not json")}); !errors.As(err, new(*types.InvalidOutput)) {
		t.Errorf("SendTaskSuccess with output that is not JSON: %v, want InvalidOutput", err)
	}
	if _, err := e.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String("garbage"), Output: aws.String("{}")}); !errors.As(err, new(*types.InvalidToken)) {
		t.Errorf("SendTaskSuccess with a made-up token: %v, want InvalidToken", err)
	}
	if _, err := e.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{"ok":true}`)}); err != nil {
		t.Fatalf("SendTaskSuccess: %v", err)
	}
	d, _ := wait(t, e, aws.ToString(x.ExecutionArn))
	if d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"ok":true}` {
		t.Errorf("after SendTaskSuccess: %s %s", d.Status, aws.ToString(d.Output))
	}
	if _, err := e.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String("{}")}); !errors.As(err, new(*types.TaskTimedOut)) {
		t.Errorf("answering a token twice: %v, want TaskTimedOut", err)
	}
	if _, err := e.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(aws.ToString(x.ExecutionArn) + "x")}); !errors.As(err, new(*types.ExecutionDoesNotExist)) {
		t.Errorf("DescribeExecution of an unknown execution: %v, want ExecutionDoesNotExist", err)
	}
}

// waitEvent waits until the execution's history has an event of type typ.
func waitEvent(t *testing.T, e *Engine, arn string, typ types.HistoryEventType) {
	t.Helper()
	x, err := e.execution(arn)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		x.mu.Lock()
		for _, ev := range x.events {
			if ev.Type == typ {
				x.mu.Unlock()
				return
			}
		}
		x.mu.Unlock()
	}
	t.Fatalf("no %s event", typ)
}

// waitToken waits until the execution's task waits for its token and returns it.
func waitToken(t *testing.T, e *Engine, arn string) string {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		e.mu.Lock()
		for token, cb := range e.tokens {
			if cb.x.arn == arn {
				e.mu.Unlock()
				return token
			}
		}
		e.mu.Unlock()
	}
	t.Fatal("no task token")
	return ""
}

// TestStopExecutionWaitingOnToken: StopExecution ends an execution that
// waits for a task token ABORTED at once, with the error and cause given, and
// the token then answers TaskTimedOut (moto answered {} and ran on).
func TestStopExecutionWaitingOnToken(t *testing.T) {
	e := New(WithTaskRunner(echo)) // real time: nothing would end the wait
	defer e.Close()
	ctx := t.Context()
	sm, err := e.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("sm"), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
		Definition: aws.String(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"t.$":"$$.Task.Token"},"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	x, err := e.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	token := waitToken(t, e, aws.ToString(x.ExecutionArn))
	if _, err := e.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: x.ExecutionArn, Error: aws.String("Operator"), Cause: aws.String("cancelled by hand")}); err != nil {
		t.Fatal(err)
	}
	d, evs := wait(t, e, aws.ToString(x.ExecutionArn))
	check(t, want{status: "ABORTED", err: "Operator", cause: "cancelled by hand", events: []string{
		"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "ExecutionAborted"}}, d, evs)
	if _, err := e.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(token)}); !errors.As(err, new(*types.TaskTimedOut)) {
		t.Errorf("heartbeat for a stopped execution's token: %v, want TaskTimedOut", err)
	}
}

// TestStopExecutionInWait: a stopped Wait ends ABORTED with the error and
// cause StopExecution gave (moto gave empty ones).
func TestStopExecutionInWait(t *testing.T) {
	e := New(WithVirtualTime(start))
	defer e.Close()
	hold := e.HoldTime() // keep the hour's Wait from ending at once
	defer hold()
	ctx := t.Context()
	sm, err := e.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("sm"), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
		Definition: aws.String(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	x, err := e.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, e, aws.ToString(x.ExecutionArn), types.HistoryEventTypeWaitStateEntered)
	if _, err := e.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: x.ExecutionArn, Error: aws.String("Stopped"), Cause: aws.String("by the test")}); err != nil {
		t.Fatal(err)
	}
	d, evs := wait(t, e, aws.ToString(x.ExecutionArn))
	check(t, want{status: "ABORTED", err: "Stopped", cause: "by the test", events: []string{"ExecutionStarted", "WaitStateEntered", "ExecutionAborted"}}, d, evs)
}

// TestHeartbeatKeepsTaskAlive: heartbeats within HeartbeatSeconds keep the
// task waiting; the answer then completes it. Virtual time is held while the
// test acts and moved by hand.
func TestHeartbeatKeepsTaskAlive(t *testing.T) {
	e := New(WithVirtualTime(start), WithTaskRunner(echo))
	defer e.Close()
	hold := e.HoldTime()
	defer hold()
	ctx := t.Context()
	sm, err := e.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("sm"), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
		Definition: aws.String(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","HeartbeatSeconds":10,"Parameters":{"t.$":"$$.Task.Token"},"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	x, err := e.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	token := waitToken(t, e, aws.ToString(x.ExecutionArn))
	for range 5 {
		e.AdvanceTime(8 * time.Second)
		if _, err := e.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(token)}); err != nil {
			t.Fatalf("heartbeat after %v: %v", e.clock.Now().Sub(start), err)
		}
	}
	if _, err := e.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`"done"`)}); err != nil {
		t.Fatal(err)
	}
	d, _ := wait(t, e, aws.ToString(x.ExecutionArn))
	check(t, want{status: "SUCCEEDED", output: `"done"`}, d, nil)
}

// TestConcurrentExecutions runs many executions of many state machines at
// once, under -race.
func TestConcurrentExecutions(t *testing.T) {
	e := New(WithVirtualTime(start), WithTaskRunner(echo))
	defer e.Close()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			ctx := context.Background()
			sm, err := e.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(fmt.Sprintf("sm-%d", i)), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
				Definition: aws.String(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":5,"Next":"T"},"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}`)})
			if err != nil {
				t.Error(err)
				return
			}
			for j := range 5 {
				x, err := e.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(fmt.Sprintf(`{"n":%d}`, j))})
				if err != nil {
					t.Error(err)
					return
				}
				d, _ := wait(t, e, aws.ToString(x.ExecutionArn))
				if d.Status != types.ExecutionStatusSucceeded {
					t.Errorf("execution %d of %d: %s", j, i, d.Status)
				}
			}
		})
	}
	wg.Wait()
}

func TestHistoryPagingAndReverseOrder(t *testing.T) {
	e := New(WithVirtualTime(start))
	defer e.Close()
	_, evs := runOn(t, e, `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"C"},"C":{"Type":"Succeed"}}}`, `{}`)
	arn := ""
	for a := range e.executions {
		arn = a
	}
	var ids []int64
	var token *string
	for {
		page, err := e.GetExecutionHistory(t.Context(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 3, ReverseOrder: true, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range page.Events {
			ids = append(ids, ev.Id)
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	var want []int64
	for i := len(evs); i >= 1; i-- {
		want = append(want, int64(i))
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("ids in reverse (-want +got):\n%s", diff)
	}
	for i, ev := range evs {
		if ev.PreviousEventId != int64(i) {
			t.Errorf("event %d (%s): previousEventId %d, want %d", ev.Id, ev.Type, ev.PreviousEventId, i)
		}
	}
}

func BenchmarkTenStateExecution(b *testing.B) {
	e := New(WithVirtualTime(start), WithTaskRunner(echo))
	defer e.Close()
	var states []string
	for i := range 10 {
		next := fmt.Sprintf(`"Next":"S%d"`, i+1)
		if i == 9 {
			next = `"End":true`
		}
		states = append(states, fmt.Sprintf(`"S%d":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"Payload.$":"$"},"OutputPath":"$.Payload",%s}`, i, next))
	}
	def := `{"StartAt":"S0","States":{` + strings.Join(states, ",") + `}}`
	ctx := context.Background()
	sm, err := e.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("ten"), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"), Definition: aws.String(def)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		out, err := e.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"order":{"id":1}}`)})
		if err != nil {
			b.Fatal(err)
		}
		x, _ := e.execution(aws.ToString(out.ExecutionArn))
		<-x.done
	}
}

// BenchmarkInlineMap1000 runs an inline Map over 1,000 items at
// MaxConcurrency 10 with a no-op Task per item.
func BenchmarkInlineMap1000(b *testing.B) {
	e := New(WithVirtualTime(start), WithTaskRunner(TaskRunnerFunc(func(context.Context, *Task) (any, error) { return nil, nil })))
	defer e.Close()
	ctx := context.Background()
	sm, err := e.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("map"), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
		Definition: aws.String(`{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":10,"End":true,
			"ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}}}}`)})
	if err != nil {
		b.Fatal(err)
	}
	items := make([]string, 1000)
	for i := range items {
		items[i] = fmt.Sprint(i)
	}
	input := "[" + strings.Join(items, ",") + "]"
	b.ReportAllocs()
	for b.Loop() {
		out, err := e.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(input)})
		if err != nil {
			b.Fatal(err)
		}
		x, _ := e.execution(aws.ToString(out.ExecutionArn))
		<-x.done
		if x.status != types.ExecutionStatusSucceeded {
			b.Fatalf("status %s", x.status)
		}
	}
}

// TestAssignedVariablesInHistory: a state's exit event lists what it
// assigned, each value as JSON text (LocalStack's AWS-recorded
// test_assign_base: {"answer": "42", "question": "\"What?\""}).
func TestAssignedVariablesInHistory(t *testing.T) {
	_, evs := run(t, `{"StartAt":"S","States":{"S":{"Type":"Pass","Result":{"q":"What?"},"Assign":{"question.$":"$.q","answer":42},"End":true}}}`, `{}`, nil)
	for _, ev := range evs {
		if ev.Type == types.HistoryEventTypePassStateExited {
			got := ev.StateExitedEventDetails.AssignedVariables
			if diff := cmp.Diff(map[string]string{"answer": "42", "question": `"What?"`}, got); diff != "" {
				t.Errorf("assignedVariables (-want +got):\n%s", diff)
			}
			return
		}
	}
	t.Fatal("no PassStateExited")
}

// TestDistributedMapRun: a DISTRIBUTED Map runs as a Map Run whose child
// executions stay out of the parent's history (LocalStack's AWS-recorded
// test_map_state_result_writer and test_map_item_reader_* histories), and
// an ItemBatcher hands each child {"BatchInput", "Items"} (developer guide,
// "ItemBatcher (Map)").
func TestDistributedMapRun(t *testing.T) {
	distributed := func(extra string) string {
		return `{"StartAt":"M","States":{"M":{"Type":"Map","Label":"L",` + extra + `"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
			"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
	}
	tests := []struct {
		name, def, input string
		want
	}{
		{
			name: "map run events", def: distributed(""), input: `[1,2,3]`,
			want: want{status: "SUCCEEDED", output: `[1,2,3]`, events: []string{"ExecutionStarted", "MapStateEntered", "MapStateStarted",
				"MapRunStarted", "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"}},
		},
		{
			name: "batches by count", def: distributed(`"ItemBatcher":{"MaxItemsPerBatch":2,"BatchInput":{"k.$":"$$.Execution.Name"}},"ItemsPath":"$.items",`),
			input: `{"items":[1,2,3]}`,
			want:  want{status: "SUCCEEDED"},
		},
		{
			name: "batches by size", def: distributed(`"ItemBatcher":{"MaxInputBytesPerBatch":6},`), input: `["aa","bb","cc"]`,
			want: want{status: "SUCCEEDED", output: `[{"Items":["aa"]},{"Items":["bb"]},{"Items":["cc"]}]`},
		},
		{
			name: "batch size from a path", def: distributed(`"ItemBatcher":{"MaxItemsPerBatchPath":"$.n"},"ItemsPath":"$.items",`),
			input: `{"n":3,"items":[1,2,3,4]}`,
			want:  want{status: "SUCCEEDED", output: `[{"Items":[1,2,3]},{"Items":[4]}]`},
		},
		{
			name: "a failed child fails the map run", def: `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
				"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"c"}}},"End":true}}}`, input: `[1]`,
			want: want{status: "FAILED", err: "E", cause: "c", events: []string{"ExecutionStarted", "MapStateEntered", "MapStateStarted",
				"MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"}},
		},
		{
			name: "tolerated failures", def: `{"StartAt":"M","States":{"M":{"Type":"Map","ToleratedFailureCount":1,"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
				"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericEquals":2,"Next":"F"}],"Default":"S"},"S":{"Type":"Succeed"},"F":{"Type":"Fail","Error":"E"}}},"End":true}}}`,
			input: `[1,2,3]`,
			want:  want{status: "SUCCEEDED", output: `[1,null,3]`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, evs := run(t, tc.def, tc.input, echo)
			check(t, tc.want, d, evs)
			if tc.name == "batches by count" {
				var out []map[string]any
				if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &out); err != nil || len(out) != 2 {
					t.Fatalf("output %s", aws.ToString(d.Output))
				}
				if bi, _ := out[0]["BatchInput"].(map[string]any); bi["k"] != aws.ToString(d.Name) || fmt.Sprint(out[1]["Items"]) != "[3]" {
					t.Errorf("output %s", aws.ToString(d.Output))
				}
			}
			for _, ev := range evs {
				if ev.Type == types.HistoryEventTypeMapRunStarted && !strings.Contains(aws.ToString(ev.MapRunStartedEventDetails.MapRunArn), ":mapRun:sm/") {
					t.Errorf("map run ARN %s", aws.ToString(ev.MapRunStartedEventDetails.MapRunArn))
				}
			}
		})
	}
}
