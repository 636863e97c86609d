package localstack_test

import (
	"context"
	"encoding/json"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/localstack"
	"github.com/lambdakit/lambdakit/localstack/fixture"
)

// executionARN is the ARN Step Functions gives the execution called name of
// the state machine stateMachineARN.
func executionARN(stateMachineARN, name string) string {
	return strings.Replace(stateMachineARN, ":stateMachine:", ":execution:", 1) + ":" + name
}

// TestStartExecutionIntegration runs a parent that starts a child through
// each form of the states:startExecution integration and checks the
// parent's output field by field against the shapes Step Functions gives:
// the plain form returns the child's ARN and start date, .sync the child's
// DescribeExecution with Input and Output as JSON strings, .sync:2 the same
// with them parsed, and a failed child fails a .sync task with
// States.TaskFailed.
func TestStartExecutionIntegration(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	cfg := em.AWSConfig()
	childARN := deploy(t, cfg, "sfn_child.asl.json", nil)

	// child is the part of a .sync output that does not depend on time.
	type child struct {
		ExecutionArn    string
		StateMachineArn string
		Name            string
		Status          string
		Input           any
		InputDetails    map[string]any
		Output          any
		OutputDetails   map[string]any
	}
	tests := []struct {
		name       string
		resource   string
		fail       bool
		wantStatus string
		wantError  string
		// strings says the child's Input and Output come as JSON strings
		// (.sync) rather than as JSON (.sync:2).
		strings bool
		// want builds the expected child part of the output from the
		// child's execution ARN and name; nil for the plain form.
		want func(arn, name string) child
	}{
		{
			name:       "plain returns the child's ARN",
			resource:   "arn:aws:states:::states:startExecution",
			wantStatus: "SUCCEEDED",
		},
		{
			name:       "sync gives input and output as strings",
			resource:   "arn:aws:states:::states:startExecution.sync",
			wantStatus: "SUCCEEDED",
			strings:    true,
			want: func(arn, name string) child {
				return child{
					ExecutionArn: arn, StateMachineArn: childARN, Name: name, Status: "SUCCEEDED",
					Input:        map[string]any{"who": "ann", "fail": false},
					InputDetails: map[string]any{"Included": true},
					Output:       map[string]any{"greeting": "hello ann"}, OutputDetails: map[string]any{"Included": true},
				}
			},
		},
		{
			name:       "sync:2 gives input and output as JSON",
			resource:   "arn:aws:states:::states:startExecution.sync:2",
			wantStatus: "SUCCEEDED",
			want: func(arn, name string) child {
				return child{
					ExecutionArn: arn, StateMachineArn: childARN, Name: name, Status: "SUCCEEDED",
					Input:        map[string]any{"who": "ann", "fail": false},
					InputDetails: map[string]any{"Included": true},
					Output:       map[string]any{"greeting": "hello ann"}, OutputDetails: map[string]any{"Included": true},
				}
			},
		},
		{
			name:       "sync:2 with a failing child fails the task",
			resource:   "arn:aws:states:::states:startExecution.sync:2",
			fail:       true,
			wantStatus: "FAILED",
			wantError:  "States.TaskFailed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t)
			parentARN := deploy(t, cfg, "sfn_start_execution.asl.json", map[string]string{"Resource": tt.resource, "ChildArn": childARN})
			name := unique("parent")
			input, _ := json.Marshal(map[string]any{"who": "ann", "fail": tt.fail})
			ex, err := fixture.RunExecution(ctx, cfg, parentARN, name, string(input))
			if err != nil {
				t.Fatal(err)
			}
			if ex.Status != tt.wantStatus || ex.Error != tt.wantError {
				t.Fatalf("parent ended %s %q (%s), want %s %q", ex.Status, ex.Error, ex.Cause, tt.wantStatus, tt.wantError)
			}
			childName := name + "-child"
			childExecARN := executionARN(childARN, childName)

			switch {
			case tt.wantStatus == "FAILED":
				// The cause is the failed child's DescribeExecution, in the
				// same casing as a successful output.
				var cause struct{ ExecutionArn, Status, Error, Cause string }
				if err := json.Unmarshal([]byte(ex.Cause), &cause); err != nil {
					t.Fatalf("cause %q: %v", ex.Cause, err)
				}
				want := struct{ ExecutionArn, Status, Error, Cause string }{childExecARN, "FAILED", "ChildFailed", "the input asked for it"}
				if diff := cmp.Diff(want, cause); diff != "" {
					t.Errorf("cause (-want +got):\n%s", diff)
				}
			case tt.want == nil:
				var got struct {
					ExecutionArn string
					StartDate    json.Number
				}
				if err := json.Unmarshal([]byte(ex.Output), &got); err != nil {
					t.Fatalf("output %q: %v", ex.Output, err)
				}
				if got.ExecutionArn != childExecARN {
					t.Errorf("ExecutionArn = %q, want %q", got.ExecutionArn, childExecARN)
				}
				assertEpochMillis(t, "StartDate", got.StartDate)
				// The parent does not wait, so the child is checked here.
				waitSucceeded(ctx, t, sfn.NewFromConfig(cfg), childExecARN)
			default:
				var got struct {
					child
					StartDate, StopDate json.Number
				}
				if err := json.Unmarshal([]byte(ex.Output), &got); err != nil {
					t.Fatalf("output %q: %v", ex.Output, err)
				}
				if tt.strings {
					// Decoded before the comparison, because moto writes the
					// child's output with spaces where AWS writes none.
					got.Input, got.Output = decodeJSONString(t, "Input", got.Input), decodeJSONString(t, "Output", got.Output)
				}
				if diff := cmp.Diff(tt.want(childExecARN, childName), got.child); diff != "" {
					t.Errorf("output (-want +got):\n%s", diff)
				}
				assertEpochMillis(t, "StartDate", got.StartDate)
				assertEpochMillis(t, "StopDate", got.StopDate)
			}
		})
	}
}

// decodeJSONString decodes a JSON document carried as a string in a .sync
// output.
func decodeJSONString(t *testing.T, field string, v any) any {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Errorf("%s = %#v, want a JSON string", field, v)
		return v
	}
	var doc any
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		t.Errorf("%s = %q: %v", field, s, err)
		return v
	}
	return doc
}

// assertEpochMillis checks that a date in a service integration's output is
// epoch milliseconds, as Step Functions writes them, and recent.
func assertEpochMillis(t *testing.T, field string, n json.Number) {
	t.Helper()
	ms, err := n.Int64()
	if err != nil {
		t.Errorf("%s = %q, want epoch milliseconds", field, n)
		return
	}
	if d := time.Since(time.UnixMilli(ms)); d < -time.Minute || d > time.Hour {
		t.Errorf("%s = %d (%s), not a recent time in milliseconds", field, ms, time.UnixMilli(ms))
	}
}

func waitSucceeded(ctx context.Context, t *testing.T, api *sfn.Client, arn string) {
	t.Helper()
	for {
		d, err := api.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("describe child %s: %v", arn, err)
		}
		if d.Status != sfntypes.ExecutionStatusRunning {
			if d.Status != sfntypes.ExecutionStatusSucceeded {
				t.Fatalf("child ended %s %s: %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
			}
			assertJSON(t, `{"greeting":"hello ann"}`, aws.ToString(d.Output))
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("child %s still running: %v", arn, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestWaitForTaskTokenHeartbeat runs a lambda:invoke.waitForTaskToken task
// with HeartbeatSeconds 2 whose handler beats and answers at different
// moments: an answer or a beat sent while the invoke still runs counts (moto
// 5.2.1 started the heartbeat watch only after the invoke returned, lost the
// answer and rejected the beat), beats keep a task alive past
// HeartbeatSeconds, and no beat ends it with States.Timeout.
func TestWaitForTaskTokenHeartbeat(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	cfg := em.AWSConfig()
	sfnc := sfn.NewFromConfig(cfg)

	type token struct{ Token, ID string }
	beat := func(ctx context.Context, in token) error {
		_, err := sfnc.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: &in.Token})
		return err
	}
	answer := func(ctx context.Context, in token) error {
		out, _ := json.Marshal(map[string]string{"approved": in.ID})
		_, err := sfnc.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: &in.Token, Output: aws.String(string(out))})
		return err
	}
	tests := []struct {
		name      string
		handler   func(t *testing.T) func(context.Context, token) error
		wantError string
	}{
		{
			name: "answered during the invoke",
			handler: func(*testing.T) func(context.Context, token) error {
				return answer
			},
		},
		{
			name: "beat and answer during the invoke",
			handler: func(*testing.T) func(context.Context, token) error {
				return func(ctx context.Context, in token) error {
					if err := beat(ctx, in); err != nil {
						return err
					}
					return answer(ctx, in)
				}
			},
		},
		{
			name: "beats after the invoke keep the task alive past HeartbeatSeconds",
			handler: func(t *testing.T) func(context.Context, token) error {
				return func(_ context.Context, in token) error {
					// The handler hands the token to a worker and returns,
					// as a real callback function does.
					go func() {
						ctx := t.Context()
						for range 3 {
							time.Sleep(time.Second)
							if err := beat(ctx, in); err != nil {
								t.Errorf("heartbeat: %v", err)
								return
							}
						}
						if err := answer(ctx, in); err != nil {
							t.Errorf("answer: %v", err)
						}
					}()
					return nil
				}
			},
		},
		{
			name: "no beat times out",
			handler: func(*testing.T) func(context.Context, token) error {
				return func(context.Context, token) error { return nil }
			},
			wantError: "States.Timeout",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t)
			name := unique("heartbeat")
			if _, ok := register(t, em, name, lambda.NewHandler(tt.handler(t)), 0); !ok {
				return
			}
			arn := deploy(t, cfg, "lambda_token_heartbeat.asl.json", map[string]string{"FunctionName": name})
			ex, err := fixture.RunExecution(ctx, cfg, arn, "", `{"id":"req-9"}`)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantError != "" {
				if ex.Status != "FAILED" || ex.Error != tt.wantError {
					t.Fatalf("execution ended %s %q (%s), want FAILED %q", ex.Status, ex.Error, ex.Cause, tt.wantError)
				}
				return
			}
			if ex.Status != "SUCCEEDED" {
				t.Fatalf("execution ended %s %q: %s", ex.Status, ex.Error, ex.Cause)
			}
			assertJSON(t, `{"approved":"req-9"}`, ex.Output)
		})
	}
}

// TestStatesErrorLeavesBranch checks that a States.* error ending a Map
// iteration or a Parallel branch (here States.TaskFailed from a failed
// .sync:2 child) reaches the state's Catch under its own name (moto 5.2.1
// failed the execution with States.Runtime).
func TestStatesErrorLeavesBranch(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	cfg := em.AWSConfig()
	childARN := deploy(t, cfg, "sfn_child.asl.json", nil)
	tests := []struct {
		name, file, input, wantOutput string
	}{
		{
			name:       "map succeeds",
			file:       "sfn_map_task_failed.asl.json",
			input:      `{"items":[{"who":"ann","fail":false},{"who":"bob","fail":false}]}`,
			wantOutput: `[{"greeting":"hello ann"},{"greeting":"hello bob"}]`,
		},
		{
			name:       "map catches States.TaskFailed",
			file:       "sfn_map_task_failed.asl.json",
			input:      `{"items":[{"who":"ann","fail":false},{"who":"bob","fail":true}]}`,
			wantOutput: `{"error":"States.TaskFailed"}`,
		},
		{
			name:       "parallel catches States.TaskFailed",
			file:       "sfn_parallel_task_failed.asl.json",
			input:      `{"who":"bob","fail":true}`,
			wantOutput: `{"error":"States.TaskFailed"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			arn := deploy(t, cfg, tt.file, map[string]string{"ChildArn": childARN})
			ex, err := fixture.RunExecution(testContext(t), cfg, arn, unique("branch"), tt.input)
			if err != nil {
				t.Fatal(err)
			}
			if ex.Status != "SUCCEEDED" {
				t.Fatalf("execution ended %s %q: %s", ex.Status, ex.Error, ex.Cause)
			}
			assertJSON(t, tt.wantOutput, ex.Output)
		})
	}
}

// TestBoto3DrivesStepFunctions: clients nobody here wrote work unchanged
// against the test bed's Step Functions: boto3 (which the emulator's Python
// already has) and, below, the AWS CLI.
func TestBoto3DrivesStepFunctions(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	python, err := execLookPython()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	out, err := exec.CommandContext(testContext(t), python, "testdata/boto3_stepfunctions.py", em.Endpoint()).CombinedOutput()
	if err != nil {
		t.Fatalf("boto3 script: %v\n%s", err, out)
	}
	var seen struct {
		Invalid, Status, Last, Missing string
		Output                         map[string]any
		StopIsDate, More               bool
		Names                          []string
		Sync                           []any
	}
	if err := json.Unmarshal(out, &seen); err != nil {
		t.Fatalf("boto3 script printed %q: %v", out, err)
	}
	if len(seen.Sync) != 2 || seen.Sync[0] != "SUCCEEDED" || seen.Sync[1] != 2.0 {
		t.Errorf("boto3 start_sync_execution saw %v, want SUCCEEDED with n=2", seen.Sync)
	}
	if seen.Invalid != "InvalidDefinition" || seen.Status != "SUCCEEDED" || seen.Output["n"] != 42.0 || !seen.StopIsDate ||
		seen.Last != "ExecutionSucceeded" || !seen.More || seen.Missing != "ExecutionDoesNotExist" ||
		len(seen.Names) != 2 || seen.Names[0] == seen.Names[1] {
		t.Errorf("boto3 saw %+v", seen)
	}
}

func TestAWSCLIDrivesStepFunctions(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	ctx := testContext(t)
	cfg := em.AWSConfig()
	arn := deploy(t, cfg, "pass_wait.asl.json", map[string]string{"WaitSeconds": "1"})
	aws := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.CommandContext(ctx, "aws", append([]string{"stepfunctions", "--endpoint-url", em.Endpoint(), "--region", "us-east-1", "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_PAGER=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		var v map[string]any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("aws %v printed %q", args, out)
		}
		return v
	}
	started := aws("start-execution", "--state-machine-arn", arn, "--input", `{"name":"cli"}`)
	execARN, _ := started["executionArn"].(string)
	if strings.HasSuffix(execARN, ":None") || execARN == "" {
		t.Fatalf("start-execution without --name: %v", started)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		d := aws("describe-execution", "--execution-arn", execARN)
		if d["status"] != "RUNNING" {
			if d["status"] != "SUCCEEDED" {
				t.Errorf("describe-execution: %v", d)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the execution did not end")
		}
	}
}

// TestServiceIntegrations runs the optimized and aws-sdk integrations with
// SQS and DynamoDB against the emulator, and catches a DynamoDB error by
// the name AWS gives it (LocalStack's AWS-recorded
// test_task_service_dynamodb: DynamoDB.ResourceNotFoundException).
func TestServiceIntegrations(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	cfg := em.AWSConfig()
	ctx := testContext(t)
	q, err := fixture.CreateQueue(ctx, cfg, fixture.Name(t, "integrations"))
	if err != nil {
		t.Fatal(err)
	}
	table := fixture.Name(t, "integrations")
	if err := fixture.CreateTable(ctx, cfg, fixture.TableSpec{Name: table, PartitionKey: "pk"}); err != nil {
		t.Fatal(err)
	}
	arn := deploy(t, cfg, "service_integrations.asl.json", map[string]string{"Table": table, "QueueUrl": q.URL})
	ex, err := fixture.RunExecution(ctx, cfg, arn, "", `{"id":"order-1"}`)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != "SUCCEEDED" {
		t.Fatalf("status %s (%s: %s)", ex.Status, ex.Error, ex.Cause)
	}
	var out struct {
		Got struct {
			N      string
			Status int
		}
		SDK    struct{ Pk string }
		SQS    struct{ Sent int }
		SQSSDK struct{ HasID bool }
		Caught struct{ Error, Cause string }
	}
	if err := json.Unmarshal([]byte(ex.Output), &out); err != nil {
		t.Fatal(err)
	}
	if out.Got.N != "7" || out.Got.Status != 200 || out.SDK.Pk != "order-1" || out.SQS.Sent != 1 || !out.SQSSDK.HasID ||
		out.Caught.Error != "DynamoDB.ResourceNotFoundException" || !strings.Contains(out.Caught.Cause, "Service: AmazonDynamoDBv2") {
		t.Errorf("output %s", ex.Output)
	}
	msgs, err := sqs.NewFromConfig(cfg).ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q.URL), MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, m := range msgs.Messages {
		bodies = append(bodies, aws.ToString(m.Body))
	}
	slices.Sort(bodies)
	if diff := cmp.Diff([]string{"plain", `{"id":"order-1"}`}, bodies); diff != "" {
		t.Errorf("messages sent (-want +got):\n%s", diff)
	}
}

// TestStateMachineAnswersAnothersToken: the callback pattern where one
// state machine answers another's task token through aws-sdk:sfn.
func TestStateMachineAnswersAnothersToken(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	cfg := em.AWSConfig()
	ctx := testContext(t)
	answerer := deploy(t, cfg, "token_answerer.asl.json", nil)
	waiter := deploy(t, cfg, "token_waiter.asl.json", map[string]string{"AnswererArn": answerer})
	ex, err := fixture.RunExecution(ctx, cfg, waiter, "", `{}`)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != "SUCCEEDED" || ex.Output != `{"answer":42}` {
		t.Errorf("waiter ended %s %s (%s: %s)", ex.Status, ex.Output, ex.Error, ex.Cause)
	}
}

// TestSNSPublishIntegration runs sns:publish against the emulator, and a
// publish to a topic that does not exist fails the state with an SNS error.
func TestSNSPublishIntegration(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	cfg := em.AWSConfig()
	ctx := testContext(t)
	topic, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(fixture.Name(t, "topic"))})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, topic, wantStatus, wantErrorPrefix string
	}{
		{"published", aws.ToString(topic.TopicArn), "SUCCEEDED", ""},
		{"no such topic", "arn:aws:sns:us-east-1:123456789012:no-such-topic", "FAILED", "SNS."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			def := `{"StartAt":"P","States":{"P":{"Type":"Task","Resource":"arn:aws:states:::sns:publish",
				"Parameters":{"TopicArn":"` + tc.topic + `","Message.$":"$.msg"},"ResultSelector":{"id.$":"$.MessageId"},"End":true}}}`
			sm, err := sfn.NewFromConfig(cfg).CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(fixture.Name(t, "sns")), Definition: aws.String(def), RoleArn: aws.String("arn:aws:iam::123456789012:role/r")})
			if err != nil {
				t.Fatal(err)
			}
			ex, err := fixture.RunExecution(ctx, cfg, aws.ToString(sm.StateMachineArn), "", `{"msg":"hello"}`)
			if err != nil {
				t.Fatal(err)
			}
			if ex.Status != tc.wantStatus || !strings.HasPrefix(ex.Error, tc.wantErrorPrefix) {
				t.Fatalf("status %s error %q (%s), want %s %q...", ex.Status, ex.Error, ex.Cause, tc.wantStatus, tc.wantErrorPrefix)
			}
			if tc.wantStatus == "SUCCEEDED" && !strings.Contains(ex.Output, `"id":"`) {
				t.Errorf("output %s, want the MessageId", ex.Output)
			}
		})
	}
}
