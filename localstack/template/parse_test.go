package template_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/localstack/fixture"
	"github.com/lambdakit/lambdakit/localstack/template"
)

// quiet keeps the expected warnings out of the test output.
var quiet = template.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))

// handlerFunc adapts a function to lambda.Handler.
type handlerFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f handlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// bind returns a WithHandler constructor that ignores the environment.
func bind(h handlerFunc) func(aws.Config, func(string) string) (lambda.Handler, error) {
	return func(aws.Config, func(string) string) (lambda.Handler, error) { return h, nil }
}

func noop(context.Context, []byte) ([]byte, error) { return []byte(`{}`), nil }

const head = "Transform: AWS::Serverless-2016-10-31\nResources:\n"

func TestErrors(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		opts     []template.Option
		want     error
		id, prop string
		line     int
		in       string // a substring of the message
	}{
		{
			name: "YAML syntax", src: head + "  Q:\n    Type: AWS::SQS::Queue\n    Properties: [1,\n",
			want: template.ErrInvalid, line: 5, in: "did not find expected",
		},
		{
			name: "duplicate key", src: head + "  Q:\n    Type: AWS::SQS::Queue\n  Q:\n    Type: AWS::SQS::Queue\n",
			want: template.ErrInvalid, line: 5, in: "duplicate key",
		},
		{
			name: "unknown tag", src: head + "  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Reff X\n",
			want: template.ErrInvalid, line: 6, in: "!Reff",
		},
		{
			name: "unknown Ref", src: head + "  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref Nope\n",
			want: template.ErrUnresolved, id: "Q", prop: "QueueName", line: 6, in: `"Nope"`,
		},
		{
			name: "unknown GetAtt attribute", src: head + "  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !GetAtt D.Url\n  D:\n    Type: AWS::SQS::Queue\n",
			want: template.ErrUnresolved, id: "Q", prop: "QueueName", line: 6, in: "QueueUrl",
		},
		{
			name: "unknown Sub variable", src: head + "  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub ${Stage}-q\n",
			want: template.ErrUnresolved, id: "Q", prop: "QueueName", line: 6, in: `"Stage"`,
		},
		{
			name: "circular references",
			src: head + "  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy: {deadLetterTargetArn: !GetAtt B.Arn, maxReceiveCount: 1}\n" +
				"  B:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt A.Arn\n        maxReceiveCount: 1\n",
			want: template.ErrCycle, id: "B", prop: "RedrivePolicy.deadLetterTargetArn", line: 11, in: "A -> B -> A",
		},
		{
			name: "circular conditions",
			src:  "Conditions:\n  A: !Condition B\n  B: !Not [!Condition A]\n" + head + "  Q:\n    Type: AWS::SQS::Queue\n",
			want: template.ErrCycle, id: "B", line: 3, in: "A -> B -> A",
		},
		{
			name: "condition refers to a resource",
			src:  "Conditions:\n  A: !Equals [!Ref Q, x]\n" + head + "  Q:\n    Type: AWS::SQS::Queue\n",
			want: template.ErrInvalid, id: "A", line: 2,
		},
		{
			name: "missing substitution",
			src: head + "  M:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      Definition:\n        StartAt: P\n" +
				"        States: {P: {Type: Pass, Result: \"${Missing}\", End: true}}\n      DefinitionSubstitutions:\n        Other: x\n",
			want: template.ErrUnresolved, id: "M", prop: "DefinitionSubstitutions", line: 10, in: "Missing",
		},
		{
			name: "definition in S3",
			src:  head + "  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionS3Location: {Bucket: b, Key: k}\n",
			want: template.ErrUnsupported, id: "M", prop: "DefinitionS3Location", line: 6,
		},
		{
			name: "unsupported types",
			src: head + "  Logs:\n    Type: AWS::Logs::LogGroup\n  Role:\n    Type: AWS::IAM::Role\n" +
				"  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        Nightly:\n          Type: Schedule\n          Properties: {Schedule: rate(1 day)}\n",
			opts: []template.Option{template.WithHandler("F", bind(noop))},
			want: template.ErrUnsupported, in: "3 resources not supported locally",
		},
		{
			name: "ImportValue", src: head + "  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !ImportValue shared-name\n",
			want: template.ErrUnsupported, id: "Q", prop: "QueueName", line: 6, in: "Fn::ImportValue",
		},
		{
			name: "GetAZs", src: head + "  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Select [0, !GetAZs '']\n",
			want: template.ErrUnsupported, id: "Q", prop: "QueueName", line: 6, in: "Fn::GetAZs",
		},
		{
			name: "wrong property type", src: head + "  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Timeout: soon\n",
			opts: []template.Option{template.WithHandler("F", bind(noop))},
			want: template.ErrInvalid, id: "F", prop: "Timeout", line: 6, in: "integer",
		},
		{
			name: "wrong nested type",
			src: head + "  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        E:\n          Type: SQS\n" +
				"          Properties:\n            Queue: !GetAtt Q.Arn\n            BatchSize: [1]\n  Q:\n    Type: AWS::SQS::Queue\n",
			opts: []template.Option{template.WithHandler("F", bind(noop))},
			want: template.ErrInvalid, id: "F", prop: "Events.E.Properties.BatchSize", line: 11,
		},
		{
			name: "visibility shorter than timeout",
			src: head + "  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Timeout: 60\n      Events:\n        E:\n          Type: SQS\n" +
				"          Properties:\n            Queue: !GetAtt Q.Arn\n  Q:\n    Type: AWS::SQS::Queue\n",
			opts: []template.Option{template.WithHandler("F", bind(noop))},
			want: template.ErrInvalid, id: "F", prop: "Events.E.Properties.Queue", line: 11, in: "VisibilityTimeout",
		},
		{
			name: "unbound function without CodeUri", src: head + "  F:\n    Type: AWS::Serverless::Function\n",
			want: template.ErrInvalid, id: "F", prop: "CodeUri", in: "WithHandler",
		},
		{
			name: "parameter outside AllowedValues",
			src:  "Parameters:\n  Stage:\n    Type: String\n    Default: dev\n    AllowedValues: [dev, prod]\n" + head + "  Q:\n    Type: AWS::SQS::Queue\n",
			opts: []template.Option{template.WithParameter("Stage", "test")},
			want: template.ErrInvalid, id: "Stage", prop: "AllowedValues", line: 5, in: `"test"`,
		},
		{
			name: "parameter without value",
			src:  "Parameters:\n  Stage:\n    Type: String\n" + head + "  Q:\n    Type: AWS::SQS::Queue\n",
			want: template.ErrInvalid, id: "Stage", prop: "Default",
		},
		{
			name: "unknown parameter override", src: head + "  Q:\n    Type: AWS::SQS::Queue\n",
			opts: []template.Option{template.WithParameter("Stage", "prod")},
			want: template.ErrUnresolved, id: "Stage",
		},
		{
			name: "unknown selected resource", src: head + "  Q:\n    Type: AWS::SQS::Queue\n",
			opts: []template.Option{template.WithResources("Nope")},
			want: template.ErrUnresolved, id: "Nope",
		},
		{
			name: "reference to a resource whose condition is false",
			src: "Conditions:\n  Never: !Equals [a, b]\n" + head + "  D:\n    Type: AWS::SQS::Queue\n    Condition: Never\n" +
				"  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !GetAtt D.QueueName\n",
			want: template.ErrUnresolved, id: "Q", prop: "QueueName", line: 11, in: "condition Never is false",
		},
		{
			name: "FIFO name without .fifo",
			src:  head + "  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      FifoQueue: true\n      QueueName: jobs\n",
			want: template.ErrInvalid, id: "Q", prop: "QueueName", line: 7,
		},
		{
			name: "other transform", src: "Transform: AWS::LanguageExtensions\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n",
			want: template.ErrUnsupported, prop: "Transform", line: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := template.Parse("bad.yaml", []byte(tt.src))
			if err == nil {
				_, err = tpl.Plan(append([]template.Option{quiet}, tt.opts...)...)
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.want == template.ErrUnsupported && strings.Contains(tt.in, "resources not supported") {
				var ue *template.UnsupportedError
				if !errors.As(err, &ue) {
					t.Fatalf("err = %T, want *UnsupportedError", err)
				}
				return
			}
			var te *template.Error
			if !errors.As(err, &te) {
				t.Fatalf("err = %T (%v), want *template.Error", err, err)
			}
			got := [3]any{te.LogicalID, te.Property, te.Path}
			if diff := cmp.Diff([3]any{tt.id, tt.prop, "bad.yaml"}, got); diff != "" {
				t.Errorf("LogicalID, Property, Path (-want +got):\n%s\n%v", diff, err)
			}
			if tt.line != 0 && te.Line != tt.line {
				t.Errorf("Line = %d, want %d: %v", te.Line, tt.line, err)
			}
			if !strings.Contains(err.Error(), tt.in) {
				t.Errorf("error %q does not mention %q", err, tt.in)
			}
		})
	}
}

func TestUnsupportedErrorListsEverything(t *testing.T) {
	tpl, err := template.Parse("../../template.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tpl.Plan(append(allHandlers(), quiet)...)
	var ue *template.UnsupportedError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want *UnsupportedError", err)
	}
	want := []template.Resource{{LogicalID: "FunctionLogGroup", Type: "AWS::Logs::LogGroup", Skipped: "AWS::Logs::LogGroup is not supported"}}
	if diff := cmp.Diff(want, ue.Resources); diff != "" {
		t.Errorf("unsupported (-want +got):\n%s", diff)
	}
}

func TestSubstitutionErrorIsKept(t *testing.T) {
	src := head + "  M:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      DefinitionUri: testdata/machine.asl.json\n" +
		"      DefinitionSubstitutions:\n        WorkerArn: x\n"
	tpl, err := template.Parse("inline.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = tpl.Plan()
	var se *fixture.SubstitutionError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a *fixture.SubstitutionError inside", err)
	}
	if diff := cmp.Diff([]string{"ResultQueueUrl"}, se.Missing); diff != "" || se.Path != "testdata/machine.asl.json" {
		t.Errorf("Missing (-want +got):\n%s; Path = %q", diff, se.Path)
	}
}

func TestPlan(t *testing.T) {
	tests := []struct {
		name string
		path string
		opts []template.Option
		want []string // LogicalID Type Name, per resource
	}{
		{
			name: "JSON with default parameter",
			path: "testdata/plan.json",
			want: []string{"Queue AWS::SQS::Queue demo-dev"},
		},
		{
			name: "parameter override turns a condition on",
			path: "testdata/plan.json",
			opts: []template.Option{template.WithParameter("Stage", "prod")},
			want: []string{"Queue AWS::SQS::Queue demo-prod", "ProdOnly AWS::SQS::Queue demo-ProdOnly"},
		},
		{
			name: "dependencies first",
			path: "testdata/sqs.yaml",
			opts: []template.Option{template.WithHandler("Consumer", bind(noop))},
			want: []string{"Dead AWS::SQS::Queue demo-Dead", "Work AWS::SQS::Queue demo-Work", "Consumer AWS::Serverless::Function demo-Consumer"},
		},
		{
			name: "selection pulls in what it refers to",
			path: "testdata/machine.yaml",
			opts: []template.Option{template.WithResources("Flow"), template.WithHandler("Worker", bind(noop))},
			want: []string{"Worker AWS::Serverless::Function demo-Worker", "Results AWS::SQS::Queue demo-Results", "Flow AWS::Serverless::StateMachine demo-flow"},
		},
		{
			name: "FIFO and tables",
			path: "testdata/table.yaml",
			want: []string{"Orders AWS::DynamoDB::Table demo-Orders", "Sessions AWS::Serverless::SimpleTable demo-Sessions", "Jobs AWS::SQS::Queue demo-jobs.fifo"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := template.Parse(tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			rs, err := tpl.Plan(append([]template.Option{template.WithPrefix("demo"), quiet}, tt.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rs {
				got = append(got, r.LogicalID+" "+r.Type+" "+r.Name)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGlobals checks SAM's merge rules: the resource's scalar wins,
// mappings are merged, lists are concatenated.
func TestGlobals(t *testing.T) {
	src := `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 60
    Environment:
      Variables:
        SHARED: global
        OVERRIDDEN: global
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 2
      Environment:
        Variables:
          OVERRIDDEN: local
          OWN: !Sub "${AWS::Region}/${AWS::AccountId}/${AWS::StackName}"
      Events:
        E:
          Type: SQS
          Properties: {Queue: !GetAtt Q.Arn}
  G:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        E:
          Type: SQS
          Properties: {Queue: !GetAtt Q.Arn}
  Q:
    Type: AWS::SQS::Queue
`
	tpl, err := template.Parse("globals.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	opts := []template.Option{template.WithPrefix("g"), quiet, template.WithHandler("F", bind(noop)), template.WithHandler("G", bind(noop))}
	// G inherits Timeout 60 from the Globals, longer than the queue's
	// default visibility timeout of 30 s.
	_, err = tpl.Plan(opts...)
	var te *template.Error
	if !errors.As(err, &te) || te.LogicalID != "G" || !errors.Is(err, template.ErrInvalid) {
		t.Fatalf("err = %v, want G's timeout (from Globals) refused", err)
	}
	rs, err := tpl.Plan(append(opts, template.WithResources("F"))...)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"SHARED": "global", "OVERRIDDEN": "local", "OWN": "us-east-1/123456789012/g"}
	if diff := cmp.Diff(want, rs[1].Environment); rs[1].LogicalID != "F" || diff != "" {
		t.Errorf("%s environment (-want +got):\n%s", rs[1].LogicalID, diff)
	}
}

// projectFunctions are the functions of the project's template.yaml.
var projectFunctions = []string{"FanoutProcessItemFunction", "FanoutWorkerFunction", "OrdersValidatePaymentFunction",
	"OrdersCheckAvailabilityFunction", "OrdersPrepareForDeliveryFunction", "OrdersStartDeliveryFunction",
	"OrdersSendOrderSummaryFunction", "OrdersNotifyCustomerFunction", "LongRunningIterateFunction",
	"LongRunningSlowWorkerFunction", "PipelineIngestFunction", "ParentChildProcessUserFunction"}

// allHandlers binds every function of template.yaml to a handler that
// answers {}, so that nothing is built.
func allHandlers() []template.Option {
	var opts []template.Option
	for _, id := range projectFunctions {
		opts = append(opts, template.WithHandler(id, bind(noop)))
	}
	return opts
}
