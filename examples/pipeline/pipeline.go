package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/lambdakit/lambdakit/batch"
	"github.com/lambdakit/lambdakit/examples/stack"
	"github.com/lambdakit/lambdakit/handler"
)

// Event is the body of a pipeline message.
type Event struct {
	ID     string  `json:"id"`
	Type   string  `json:"type"`
	Amount float64 `json:"amount"`
	// Flaky makes the first receive of the message fail with a
	// [*TransientError], standing in for a downstream service that was
	// briefly unavailable.
	Flaky bool `json:"flaky,omitempty"`
}

// Event types the pipeline knows.
const (
	TypeOrderCreated   = "order.created"
	TypeOrderCancelled = "order.cancelled"
)

// UnknownEventError reports an event of a type the pipeline does not know:
// a poison message, which fails on every receive and ends in the DLQ.
type UnknownEventError struct {
	ID   string
	Type string
}

func (e *UnknownEventError) Error() string {
	return fmt.Sprintf("pipeline: event %q has unknown type %q", e.ID, e.Type)
}

// TransientError reports a failure that a later receive of the message is
// expected to get past.
type TransientError struct {
	ID      string
	Receive int
}

func (e *TransientError) Error() string {
	return fmt.Sprintf("pipeline: event %q: downstream unavailable on receive %d", e.ID, e.Receive)
}

// Ingest applies one event. It is the record handler of [NewIngest]: a
// returned error fails this record only.
func Ingest(ctx context.Context, ev Event, msg events.SQSMessage) error {
	switch ev.Type {
	case TypeOrderCreated, TypeOrderCancelled:
	default:
		return &UnknownEventError{ID: ev.ID, Type: ev.Type}
	}
	// ApproximateReceiveCount is 1 on the first receive. Reading it keeps
	// the flaky behaviour deterministic without any state in the function.
	receive, _ := strconv.Atoi(msg.Attributes["ApproximateReceiveCount"])
	if ev.Flaky && receive < 2 {
		return &TransientError{ID: ev.ID, Receive: receive}
	}
	// The event's effect; a real pipeline writes to its store here.
	time.Sleep(5 * time.Millisecond)
	slog.DebugContext(ctx, "event applied", "event_id", ev.ID, "type", ev.Type, "amount", ev.Amount, "receive", receive)
	return nil
}

// Handler returns the Ingest function's handler: batch.SQSJSON over
// [Ingest], four records at a time, with lambdakit's default middleware.
func Handler() handler.HandlerFunc {
	return handler.Chain(batch.SQSJSON(Ingest, batch.WithConcurrency(4)), handler.Defaults()...)
}

// NewIngest builds the Ingest function.
func NewIngest(aws.Config, func(string) string) (lambda.Handler, error) { return Handler(), nil }

// SampleMessages returns message bodies for a demo run: n good events of
// which every fifth is flaky, one body that is not JSON and one event of an
// unknown type. poison is how many of them should end in the DLQ.
func SampleMessages(n int) (bodies []string, poison int) {
	for i := range n {
		ev := Event{ID: fmt.Sprintf("evt-%03d", i+1), Type: TypeOrderCreated, Amount: float64(10 + i), Flaky: i%5 == 4}
		if i%4 == 3 {
			ev.Type = TypeOrderCancelled
		}
		b, _ := json.Marshal(ev)
		bodies = append(bodies, string(b))
	}
	bodies = append(bodies, `{"id": "evt-poison-1", "type": "order.created", "amount": }`)
	b, _ := json.Marshal(Event{ID: "evt-poison-2", Type: "order.teleported"})
	bodies = append(bodies, string(b))
	return bodies, 2
}

// Stack describes the example's resources as template.yaml declares them.
func Stack() stack.Spec {
	return stack.Spec{
		Name: "pipeline",
		Functions: []stack.Function{{
			LogicalID: "PipelineIngestFunction",
			CodeURI:   "examples/pipeline/functions/ingest",
			New:       NewIngest,
			SQS:       &stack.SQSEvent{Queue: "PipelineQueue", BatchSize: 10, MaximumConcurrency: 5},
		}},
		Queues: []stack.Queue{{
			LogicalID:         "PipelineQueue",
			DLQ:               "PipelineDLQ",
			MaxReceiveCount:   3,
			VisibilityTimeout: 180 * time.Second,
		}},
	}
}
