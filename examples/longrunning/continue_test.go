package longrunning_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/examples/localdeploy"
	"github.com/lambdakit/lambdakit/examples/longrunning"
	"github.com/lambdakit/lambdakit/handler"
	"github.com/lambdakit/lambdakit/iterator"
	"github.com/lambdakit/lambdakit/localstack"
)

// TestContinueAsNew runs Iterate with a continue-as-new threshold of two
// invocations, so the Choice routes a long job to ContinueAsNewExecution:
// the first execution ends after starting this same state machine with the
// same job under a new name, and the chain of executions resumes from the
// checkpoint until one of them finishes the job and writes the report.
func TestContinueAsNew(t *testing.T) {
	em := localstack.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const prefix = "longrunning-continue"
	cfg := em.AWSConfig()
	dep, err := localdeploy.Deploy(ctx, em, longrunning.Stack(),
		localdeploy.WithPrefix(prefix), localdeploy.WithRoot("../.."),
		localdeploy.WithFunctionTimeout("LongRunningIterateFunction", 2*time.Second),
		localdeploy.WithHandlerWrapper(func(id string, h lambda.Handler) lambda.Handler {
			if id != "LongRunningIterateFunction" {
				return h
			}
			store := iterator.NewDynamoDBStore(dynamodb.NewFromConfig(cfg), prefix+"-CheckpointTable")
			return longrunning.NewIterateWith(store, iterator.WithContinueAfter(2)).Handler(handler.Defaults()...)
		}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := dep.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})

	ex, err := dep.Run(ctx, "LongRunningStateMachine", "job-long", `{"jobId":"job-long","totalItems":400,"reportSeconds":0}`)
	if err != nil {
		t.Fatal(err)
	}
	// Counted in the first execution's history: by the time it has ended,
	// the next one may already have invoked Iterate.
	iterate := 0
	for _, e := range ex.History {
		if d := e.TaskScheduledEventDetails; d != nil && aws.ToString(d.Resource) == "invoke" {
			iterate++
		}
	}
	if iterate != 2 {
		t.Errorf("Iterate ran %d times before continuing as new, want 2", iterate)
	}
	var params struct {
		StateMachineArn string
		Name            string
		Input           map[string]any
	}
	found := false
	for _, e := range ex.History {
		if d := e.TaskScheduledEventDetails; d != nil && strings.HasPrefix(aws.ToString(d.Resource), "startExecution") {
			if err := json.Unmarshal([]byte(aws.ToString(d.Parameters)), &params); err != nil {
				t.Fatal(err)
			}
			found = true
		}
	}
	if !found {
		t.Fatalf("no startExecution task was scheduled; execution ended %s %s: %s", ex.Status, ex.Error, ex.Cause)
	}
	if params.StateMachineArn != dep.StateMachineARN("LongRunningStateMachine") {
		t.Errorf("continues on %q, want this state machine", params.StateMachineArn)
	}
	if !strings.HasPrefix(params.Name, "job-long-") || len(params.Name) > 80 {
		t.Errorf("new execution name %q, want job-long-<uuid> within 80 characters", params.Name)
	}
	if params.Input["jobId"] != "job-long" || params.Input["totalItems"] != 400.0 || params.Input["AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"] != ex.ARN {
		t.Errorf("new execution input %v", params.Input)
	}
	if ex.Status != "SUCCEEDED" {
		t.Fatalf("first execution ended %s %s: %s", ex.Status, ex.Error, ex.Cause)
	}

	// Follow the chain: each execution that continued names the next in
	// its output, and the next one names it as its starter.
	sfnc := sfn.NewFromConfig(cfg)
	type continued struct {
		ContinuedAs *struct {
			ExecutionArn string
			StartDate    int64
		} `json:"continuedAs"`
	}
	prev, output, executions := ex.ARN, ex.Output, 1
	for {
		var c continued
		if err := json.Unmarshal([]byte(output), &c); err != nil {
			t.Fatalf("output of %s: %q: %v", prev, output, err)
		}
		if c.ContinuedAs == nil {
			break
		}
		if executions == 1 && c.ContinuedAs.ExecutionArn != strings.Replace(dep.StateMachineARN("LongRunningStateMachine"), ":stateMachine:", ":execution:", 1)+":"+params.Name {
			t.Errorf("continued as %q, want the execution named %q", c.ContinuedAs.ExecutionArn, params.Name)
		}
		if c.ContinuedAs.StartDate <= 0 {
			t.Errorf("continuedAs.StartDate = %d, want epoch milliseconds", c.ContinuedAs.StartDate)
		}
		if executions++; executions > 10 {
			t.Fatalf("more than 10 executions for one job")
		}
		d := waitExecution(ctx, t, sfnc, c.ContinuedAs.ExecutionArn)
		var in struct {
			StartedBy string `json:"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"`
		}
		if err := json.Unmarshal([]byte(aws.ToString(d.Input)), &in); err != nil || in.StartedBy != prev {
			t.Errorf("%s was started by %q, want %q", c.ContinuedAs.ExecutionArn, in.StartedBy, prev)
		}
		prev, output = c.ContinuedAs.ExecutionArn, aws.ToString(d.Output)
	}
	// 400 items of 20 ms in invocations of at most 2 s take at least four
	// invocations, so at least two executions.
	if executions < 2 {
		t.Errorf("the job ran in %d execution, want it continued as new", executions)
	}
	var out struct {
		JobID      string             `json:"jobId"`
		Iterations int                `json:"iterations"`
		Report     longrunning.Report `json:"report"`
	}
	if err := json.Unmarshal([]byte(output), &out); err != nil {
		t.Fatalf("final output %q: %v", output, err)
	}
	out.Report.Took = ""
	want := out
	want.JobID, want.Iterations = "job-long", 400
	want.Report = longrunning.Report{JobID: "job-long", Processed: 400, Checksum: checksum(400), Verdict: "complete"}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("final output (-want +got):\n%s", diff)
	}
}

// waitExecution waits until the execution arn has finished successfully and
// returns its description.
func waitExecution(ctx context.Context, t *testing.T, api *sfn.Client, arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	for {
		d, err := api.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("describe %s: %v", arn, err)
		}
		if d.Status != sfntypes.ExecutionStatusRunning {
			if d.Status != sfntypes.ExecutionStatusSucceeded {
				t.Fatalf("%s ended %s %s: %s", arn, d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
			}
			return d
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s still running: %v", arn, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
