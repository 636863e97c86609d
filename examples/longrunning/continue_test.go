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

	"github.com/lambdakit/lambdakit/examples/localdeploy"
	"github.com/lambdakit/lambdakit/examples/longrunning"
	"github.com/lambdakit/lambdakit/handler"
	"github.com/lambdakit/lambdakit/iterator"
	"github.com/lambdakit/lambdakit/localstack"
)

// TestContinueAsNew runs Iterate with a continue-as-new threshold of two
// invocations, so the Choice routes a long job to ContinueAsNewExecution.
// moto 5.2.1 cannot run states:startExecution (see the README), so the test
// checks what Step Functions was asked to do: start this same state machine
// with the same job, under a new name.
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
	if n := dep.Invocations()["LongRunningIterateFunction"]; n != 2 {
		t.Errorf("Iterate ran %d times before continuing as new, want 2", n)
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
	// On AWS the execution ends here, SUCCEEDED, and the new one resumes
	// from the checkpoint; moto fails the task instead.
	if ex.Status != "SUCCEEDED" && !(ex.Status == "FAILED" && ex.Error == "States.Runtime") {
		t.Errorf("execution ended %s %s: %s", ex.Status, ex.Error, ex.Cause)
	}
}
