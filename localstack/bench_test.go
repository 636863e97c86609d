package localstack_test

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

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
