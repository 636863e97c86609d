package localstack_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/lambdakit/lambdakit/localstack"
)

func BenchmarkInvokeGoHandler(b *testing.B) {
	em := localstack.Shared(b)
	ctx := context.Background()
	name := unique("bench-echo")
	if _, err := em.RegisterFunction(ctx, name, lambda.NewHandler(func(in map[string]any) (map[string]any, error) { return in, nil }), 0); err != nil {
		b.Fatal(err)
	}
	client := awslambda.NewFromConfig(em.AWSConfig())
	in := &awslambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"k":"v"}`)}
	for b.Loop() {
		out, err := client.Invoke(ctx, in)
		if err != nil || out.FunctionError != nil {
			b.Fatal(err, out.FunctionError)
		}
	}
}

// BenchmarkFortyConcurrentExecutions starts 40 executions of a state machine
// with a Pass and a Go Lambda task at once through the SDK and the test
// bed's endpoint, and waits for all of them: one op is the 40. (Through
// moto's interpreter this took about 5.6 s.)
func BenchmarkFortyConcurrentExecutions(b *testing.B) {
	em := localstack.Shared(b)
	ctx := context.Background()
	fn := unique("bench-double")
	fnARN, err := em.RegisterFunction(ctx, fn, lambda.NewHandler(func(in map[string]any) (map[string]any, error) { return in, nil }), 0)
	if err != nil {
		b.Fatal(err)
	}
	cfg := em.AWSConfig()
	client := sfn.NewFromConfig(cfg)
	sm, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(unique("bench40")), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
		Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"T"},"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
			"Parameters":{"FunctionName":"` + fnARN + `","Payload.$":"$"},"OutputPath":"$.Payload","End":true}}}`)})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Go(func() {
				x, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(fmt.Sprintf(`{"i":%d}`, i))})
				if err != nil {
					b.Error(err)
					return
				}
				for {
					d, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: x.ExecutionArn})
					if err != nil {
						b.Error(err)
						return
					}
					if d.Status != sfntypes.ExecutionStatusRunning {
						if d.Status != sfntypes.ExecutionStatusSucceeded {
							b.Errorf("execution %d: %s", i, d.Status)
						}
						return
					}
					time.Sleep(5 * time.Millisecond)
				}
			})
		}
		wg.Wait()
	}
}
