package template_test

import (
	"errors"
	"fmt"

	"github.com/lambdakit/lambdakit/localstack/template"
)

// Plan shows what a deployment would create, in dependency order, and what
// it would skip, without touching an emulator; the same template with a
// typo fails with the line and logical ID.
func ExampleTemplate_Plan() {
	src := []byte(`Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt OrdersDLQ.Arn
        maxReceiveCount: 3
  OrdersDLQ:
    Type: AWS::SQS::Queue
  Logs:
    Type: AWS::Logs::LogGroup
Outputs:
  OrdersUrl:
    Value: !Ref Orders
`)
	tpl, err := template.Parse("inline.yaml", src)
	if err != nil {
		fmt.Println(err)
		return
	}
	rs, err := tpl.Plan(template.WithPrefix("demo"), template.WithSkipUnsupported(), quiet)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rs {
		if r.Skipped != "" {
			fmt.Printf("skip   %s: %s\n", r.LogicalID, r.Skipped)
			continue
		}
		fmt.Printf("create %s %s %s\n", r.LogicalID, r.Type, r.ARN)
	}

	_, err = template.Parse("inline.yaml", []byte("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref Nope\n"))
	var te *template.Error
	fmt.Println(errors.As(err, &te), errors.Is(err, template.ErrUnresolved), te.Line)
	fmt.Println(err)
	// Output:
	// create OrdersDLQ AWS::SQS::Queue arn:aws:sqs:us-east-1:123456789012:demo-OrdersDLQ
	// create Orders AWS::SQS::Queue arn:aws:sqs:us-east-1:123456789012:demo-Orders
	// skip   Logs: AWS::Logs::LogGroup is not supported
	// true true 5
	// template: inline.yaml:5:18: Q.QueueName: unresolved reference: no parameter or resource named "Nope"
}
