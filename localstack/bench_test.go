package localstack_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/lambdakit/lambdakit/localstack"
)

func BenchmarkSubstitute(b *testing.B) {
	def := strings.Repeat(`{"QueueUrl": "${QueueUrl}", "Table": "${TableName}", "Path.$": "$.order"},`, 50)
	subs := map[string]string{"QueueUrl": "http://127.0.0.1:4566/000000000000/q", "TableName": "t"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := localstack.Substitute(def, subs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunExecution measures one Pass+Wait(0) execution end to end:
// StartExecution, polling to completion and fetching the history.
func BenchmarkRunExecution(b *testing.B) {
	em := localstack.Shared(b)
	cfg := em.AWSConfig()
	ctx := context.Background()
	arn, err := localstack.DeployStateMachine(ctx, cfg, unique("bench"), filepath.Join("testdata", "pass_wait.asl.json"),
		map[string]string{"WaitSeconds": "0"})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		ex, err := localstack.RunExecution(ctx, cfg, arn, fmt.Sprintf("run-%d", i), `{"name":"b"}`)
		if err != nil || ex.Status != "SUCCEEDED" {
			b.Fatalf("execution %d: %v %+v", i, err, ex)
		}
	}
}

// BenchmarkInvokeGoHandler measures a Lambda Invoke that moto forwards to a
// Go handler registered in this process.
func BenchmarkInvokeGoHandler(b *testing.B) {
	em := localstack.Shared(b)
	ctx := context.Background()
	name := unique("bench-echo")
	if _, err := em.RegisterFunction(ctx, name, lambda.NewHandler(func(in map[string]any) (map[string]any, error) { return in, nil })); err != nil {
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
