package fanout

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/lambdakit/lambdakit/batch"
	"github.com/lambdakit/lambdakit/callback"
	"github.com/lambdakit/lambdakit/examples/stack"
	"github.com/lambdakit/lambdakit/handler"
)

// Item is one element of the workflow's items list.
type Item struct {
	ID string `json:"id"`
	// Kind is "heavy" for items that go through the queue; anything else is
	// processed directly.
	Kind string `json:"kind"`
	// Weight is how much work the item takes: Weight × WorkUnit.
	Weight int `json:"weight"`
}

// Task is what the Map's ItemSelector gives each item's iteration, and the
// body of the message a heavy item is queued with (plus the task token,
// which the callback package takes).
type Task struct {
	BatchID string `json:"batchId"`
	Index   int    `json:"index"`
	Item    Item   `json:"item"`
}

// Result is one item's result; the Map gathers them in the items' order.
type Result struct {
	ID          string `json:"id"`
	Index       int    `json:"index"`
	Kind        string `json:"kind"`
	Value       int    `json:"value"`
	ProcessedBy string `json:"processedBy,omitempty"`
	// Error is the error name of an item that failed (the ItemFailed state
	// records it instead of failing the whole Map).
	Error string `json:"error,omitempty"`
}

// WorkUnit is how long one unit of an item's weight takes to process.
const WorkUnit = 10 * time.Millisecond

// MaxWeight bounds an item's weight.
const MaxWeight = 1000

// InvalidItemError reports an item that cannot be processed. For a heavy
// item the worker answers the task with it, so the item's iteration fails
// with this error name.
type InvalidItemError struct {
	ID     string
	Reason string
}

func (e *InvalidItemError) Error() string {
	return fmt.Sprintf("fanout: item %q: %s", e.ID, e.Reason)
}

// process is the work on one item: the sum of squares up to its weight,
// taking Weight × WorkUnit.
func process(ctx context.Context, t Task, by string) (Result, error) {
	if t.Item.ID == "" {
		return Result{}, &InvalidItemError{Reason: "no id"}
	}
	if t.Item.Weight < 0 || t.Item.Weight > MaxWeight {
		return Result{}, &InvalidItemError{ID: t.Item.ID, Reason: fmt.Sprintf("weight %d is outside [0, %d]", t.Item.Weight, MaxWeight)}
	}
	select {
	case <-ctx.Done():
		return Result{}, ctx.Err()
	case <-time.After(time.Duration(t.Item.Weight) * WorkUnit):
	}
	v := 0
	for i := 1; i <= t.Item.Weight; i++ {
		v += i * i
	}
	return Result{ID: t.Item.ID, Index: t.Index, Kind: t.Item.Kind, Value: v, ProcessedBy: by}, nil
}

// ProcessItem processes a light item, invoked directly by the Map.
func ProcessItem(ctx context.Context, t Task) (Result, error) {
	return process(ctx, t, "ProcessItem")
}

// NewProcessItem builds the ProcessItem function.
func NewProcessItem(aws.Config, func(string) string) (lambda.Handler, error) {
	return handler.New(ProcessItem, handler.Defaults()...), nil
}

// Worker returns the Worker handler: an SQS batch handler whose records are
// heavy items queued by the Map with a task token. Each record is processed
// and its token answered; the records of a batch run two at a time. How many
// batches run at once is the event-source mapping's MaximumConcurrency.
func Worker(api callback.API) handler.HandlerFunc {
	work := func(ctx context.Context, t Task) (Result, error) { return process(ctx, t, "Worker") }
	return handler.Chain(batch.SQS(callback.SQSWorker(api, work), batch.WithConcurrency(2)), handler.Defaults()...)
}

// NewWorker builds the Worker function.
func NewWorker(cfg aws.Config, _ func(string) string) (lambda.Handler, error) {
	return Worker(sfn.NewFromConfig(cfg)), nil
}

// SampleInput returns the workflow's input: n items, every third one heavy,
// with weights from 1 to 10.
func SampleInput(batchID string, n int) map[string]any {
	items := make([]Item, n)
	for i := range items {
		kind := "light"
		if i%3 == 2 {
			kind = "heavy"
		}
		items[i] = Item{ID: fmt.Sprintf("item-%02d", i+1), Kind: kind, Weight: i%10 + 1}
	}
	return map[string]any{"batchId": batchID, "items": items}
}

// Stack describes the example's resources as template.yaml declares them.
func Stack() stack.Spec {
	return stack.Spec{
		Name: "fanout",
		Functions: []stack.Function{
			{LogicalID: "FanoutProcessItemFunction", CodeURI: "examples/fanout/functions/processitem", New: NewProcessItem},
			{
				LogicalID: "FanoutWorkerFunction",
				CodeURI:   "examples/fanout/functions/worker",
				New:       NewWorker,
				Timeout:   60 * time.Second,
				SQS:       &stack.SQSEvent{Queue: "FanoutHeavyQueue", BatchSize: 5, MaximumConcurrency: 2},
			},
		},
		Queues: []stack.Queue{{
			LogicalID:         "FanoutHeavyQueue",
			DLQ:               "FanoutHeavyDLQ",
			MaxReceiveCount:   3,
			VisibilityTimeout: 360 * time.Second,
		}},
		StateMachines: []stack.StateMachine{{
			LogicalID:     "FanoutStateMachine",
			DefinitionURI: "examples/fanout/statemachine.asl.json",
			Substitutions: map[string]stack.Ref{
				"ProcessItemFunctionArn": stack.ArnOf("FanoutProcessItemFunction"),
				"HeavyQueueUrl":          stack.NameOf("FanoutHeavyQueue"),
			},
		}},
	}
}
