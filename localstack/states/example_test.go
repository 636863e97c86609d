package states_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/lambdakit/lambdakit/localstack/states"
)

// An hour's Wait and a Task completes at once on virtual time.
func Example() {
	ctx := context.Background()
	double := states.TaskRunnerFunc(func(_ context.Context, t *states.Task) (any, error) {
		n := t.Input.(map[string]any)["n"]
		return map[string]any{"twice": fmt.Sprintf("%v%v", n, n)}, nil
	})
	e := states.New(states.WithVirtualTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), states.WithTaskRunner(double))
	defer e.Close()

	sm, err := e.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("example"), RoleArn: aws.String("arn:aws:iam::123456789012:role/example"),
		Definition: aws.String(`{"StartAt":"Wait","States":{
			"Wait":{"Type":"Wait","Seconds":3600,"Next":"Double"},
			"Double":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","ResultPath":"$.result","End":true}}}`),
	})
	if err != nil {
		panic(err)
	}
	x, err := e.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"n":21}`)})
	if err != nil {
		panic(err)
	}
	for {
		d, err := e.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: x.ExecutionArn})
		if err != nil {
			panic(err)
		}
		if d.Status != "RUNNING" {
			fmt.Println(d.Status, aws.ToString(d.Output), d.StopDate.Sub(*d.StartDate))
			return
		}
		time.Sleep(time.Millisecond)
	}
	// Output: SUCCEEDED {"n":21,"result":{"twice":"2121"}} 1h0m0s
}
