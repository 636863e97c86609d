package stack

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/lambdakit/lambdakit/handler"
)

// Spec is one example's part of template.yaml.
type Spec struct {
	// Name is the example's folder under examples/, such as "orders".
	Name          string
	Functions     []Function
	Queues        []Queue
	Tables        []Table
	StateMachines []StateMachine
}

// NewFunc builds a function's handler from an AWS configuration and an
// environment lookup (os.Getenv in Lambda). It is called once per process,
// at cold start, so it is the place to build AWS clients.
type NewFunc func(cfg aws.Config, getenv func(string) string) (lambda.Handler, error)

// Function is an AWS::Serverless::Function.
type Function struct {
	// LogicalID is the resource's logical ID in template.yaml.
	LogicalID string
	// CodeURI is the function's main package, relative to the repository
	// root, as in the template's CodeUri without the trailing slash.
	CodeURI string
	// New builds the handler; the main package passes the same function to
	// [Start].
	New NewFunc
	// Timeout is the function timeout; zero means the template's global 30s.
	Timeout time.Duration
	// Environment maps each environment variable the template sets to the
	// resource whose name it carries.
	Environment map[string]Ref
	// SQS is the function's SQS event source, if it has one.
	SQS *SQSEvent
}

// SQSEvent is a function's SQS event source mapping. It always reports batch
// item failures (FunctionResponseTypes: [ReportBatchItemFailures]).
type SQSEvent struct {
	// Queue is the logical ID of the source queue.
	Queue string
	// BatchSize is the mapping's BatchSize.
	BatchSize int
	// MaximumConcurrency is the mapping's ScalingConfig.MaximumConcurrency.
	MaximumConcurrency int
}

// Queue is an AWS::SQS::Queue, optionally with a dead-letter queue.
type Queue struct {
	LogicalID string
	// DLQ is the logical ID of the dead-letter queue, empty for none.
	DLQ string
	// MaxReceiveCount is the redrive policy's maxReceiveCount.
	MaxReceiveCount int
	// VisibilityTimeout is the queue's visibility timeout.
	VisibilityTimeout time.Duration
}

// Table is an AWS::DynamoDB::Table with a string partition key.
type Table struct {
	LogicalID    string
	PartitionKey string
	// TTLAttribute is the table's TimeToLiveSpecification attribute.
	TTLAttribute string
}

// StateMachine is an AWS::Serverless::StateMachine.
type StateMachine struct {
	LogicalID string
	// DefinitionURI is the ASL file, relative to the repository root, as in
	// the template's DefinitionUri.
	DefinitionURI string
	// Substitutions are the template's DefinitionSubstitutions.
	Substitutions map[string]Ref
}

// RefKind says which attribute of a resource a [Ref] takes.
type RefKind int

const (
	// RefName is !Ref: a function's or table's name, a queue's URL, a state
	// machine's ARN.
	RefName RefKind = iota
	// RefArn is !GetAtt X.Arn.
	RefArn
)

// Ref refers to another resource of the stack, as !Ref or !GetAtt X.Arn do.
type Ref struct {
	Kind      RefKind
	LogicalID string
}

// NameOf is !Ref logicalID.
func NameOf(logicalID string) Ref { return Ref{Kind: RefName, LogicalID: logicalID} }

// ArnOf is !GetAtt logicalID.Arn.
func ArnOf(logicalID string) Ref { return Ref{Kind: RefArn, LogicalID: logicalID} }

// String returns the template spelling of r.
func (r Ref) String() string {
	if r.Kind == RefArn {
		return "!GetAtt " + r.LogicalID + ".Arn"
	}
	return "!Ref " + r.LogicalID
}

// Function returns the function with the given logical ID.
func (s Spec) Function(logicalID string) (Function, bool) {
	for _, f := range s.Functions {
		if f.LogicalID == logicalID {
			return f, true
		}
	}
	return Function{}, false
}

// Start is the whole main of an example function: it loads the AWS
// configuration of the Lambda environment, builds the handler with newFunc
// and os.Getenv, and runs it under the Lambda runtime. It does not return; a
// constructor error ends the process, which Lambda reports as an init error.
func Start(newFunc NewFunc) {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fail(fmt.Errorf("load AWS configuration: %w", err))
	}
	h, err := newFunc(cfg, os.Getenv)
	if err != nil {
		fail(err)
	}
	handler.Start(h)
}

func fail(err error) {
	slog.Error("function init failed", "error", err)
	os.Exit(1)
}
