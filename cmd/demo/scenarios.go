package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambdakit/lambdakit/examples/localdeploy"
	"github.com/lambdakit/lambdakit/examples/longrunning"
	"github.com/lambdakit/lambdakit/examples/orders"
	"github.com/lambdakit/lambdakit/examples/parentchild"
	"github.com/lambdakit/lambdakit/examples/stack"
)

// scenarios lists the demo's workflows in the order of the summary.
func scenarios() []scenario {
	return []scenario{
		fanoutScenario(),
		{
			name:    "orders",
			summary: "validate payment, Map over the items (MaxConcurrency 3) with Retry and Catch, summary; a declined payment notifies the customer",
			spec:    orders.Stack,
			run:     runOrders,
		},
		{
			name: "longrunning",
			summary: "iterator loop (Choice on IsCompleted) with DynamoDB checkpoints, then a callback task with " +
				"HeartbeatSeconds answered through SQS by a slow worker that heartbeats",
			spec: longrunning.Stack,
			// A few seconds per Iterate invocation instead of the template's
			// minute, so the loop goes round several times in the demo.
			// The report queue's visibility timeout, and so the slow worker's
			// timeout, is 10s instead of the template's 30 minutes.
			opts: []localdeploy.Option{
				localdeploy.WithFunctionTimeout("LongRunningIterateFunction", 3*time.Second),
				localdeploy.WithVisibilityTimeout(10 * time.Second),
			},
			run: runLongRunning,
		},
		pipelineScenario(),
		{
			name:    "parentchild",
			summary: "the parent maps over users (MaxConcurrency 50) and starts one child execution per user (startExecution.sync:2)",
			spec:    parentchild.Stack,
			run:     runParentChild,
		},
	}
}

func runOrders(ctx context.Context, dep *localdeploy.Deployment, r *result, logf func(string, ...any)) error {
	r.checkpoints = -1
	happy := orders.SampleOrder("12345678")
	declined := orders.SampleOrder("12345679")
	declined.Detail.PaymentMethod = "expiredCard"
	for _, tc := range []struct {
		order orders.Order
		want  string
	}{{happy, "SUCCEEDED"}, {declined, "FAILED PaymentDeclined"}} {
		input, _ := json.Marshal(tc.order)
		logf("running order %s (payment %s)", tc.order.OrderID, tc.order.Detail.PaymentMethod)
		ex, err := dep.Run(ctx, "OrdersStateMachine", "order-"+tc.order.OrderID, string(input))
		if err != nil {
			return err
		}
		r.add("order "+tc.order.OrderID, ex, tc.want)
		logf("order %s: %s %s", tc.order.OrderID, ex.Status, ex.Error)
		if ex.Status == "SUCCEEDED" {
			var s orders.Summary
			if err := json.Unmarshal([]byte(ex.Output), &s); err == nil {
				r.fact("%s", s.Message)
			}
		}
	}
	if n := dep.Invocations()["OrdersCheckAvailabilityFunction"]; n > 3 {
		r.fact("CheckAvailability ran %d times for 3 items: the flaky warehouse's TransientError was retried", n)
	}
	if n := dep.Invocations()["OrdersNotifyCustomerFunction"]; n != 1 {
		r.problem("NotifyCustomer ran %d times, want 1 (for the declined payment)", n)
	}
	return nil
}

func runLongRunning(ctx context.Context, dep *localdeploy.Deployment, r *result, logf func(string, ...any)) error {
	const jobID, items = "demo-job-1", 300
	input := fmt.Sprintf(`{"jobId":%q,"totalItems":%d,"reportSeconds":3}`, jobID, items)
	logf("running job %s: %d records at %s each, about %s of work", jobID, items, longrunning.StepCost, time.Duration(items)*longrunning.StepCost)
	ex, err := dep.Run(ctx, "LongRunningStateMachine", jobID, input)
	if err != nil {
		return err
	}
	r.add("job "+jobID, ex, "SUCCEEDED")
	logf("job %s: %s %s", jobID, ex.Status, ex.Error)

	// The iterator writes one conditional checkpoint per invocation; the
	// item's version attribute counts them.
	r.checkpoints = 0
	out, err := dynamodb.NewFromConfig(dep.AWSConfig()).GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(dep.Value(stack.NameOf("CheckpointTable"))),
		Key:       map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: jobID}},
	})
	if err != nil {
		return err
	}
	if v, ok := out.Item["version"].(*ddbtypes.AttributeValueMemberN); ok {
		fmt.Sscan(v.Value, &r.checkpoints)
	}
	if n := dep.Invocations()["LongRunningIterateFunction"]; n < 2 {
		r.problem("Iterate ran %d times; the job should need several invocations", n)
	} else {
		r.fact("the job took %d Iterate invocations of at most 3s each, resuming from its checkpoint every time", n)
	}
	return nil
}

func runParentChild(ctx context.Context, dep *localdeploy.Deployment, r *result, logf func(string, ...any)) error {
	r.checkpoints = -1
	users := parentchild.SampleUsers(5)
	logf("running the child state machine for each of %d users", len(users))
	for i, u := range users {
		input, _ := json.Marshal(map[string]any{"UserDetails": u})
		ex, err := dep.Run(ctx, "ParentChildChildStateMachine", fmt.Sprintf("child-%d", i), string(input))
		if err != nil {
			return err
		}
		r.add("child for "+u.ID, ex, "SUCCEEDED")
	}
	input, _ := json.Marshal(map[string]any{"users": users})
	logf("running the parent over %d users", len(users))
	ex, err := dep.Run(ctx, "ParentChildParentStateMachine", "parent-1", string(input))
	if err != nil {
		return err
	}
	r.add("parent", ex, "SUCCEEDED")
	return nil
}
