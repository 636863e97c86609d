package pipeline_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/lambdakit/lambdakit/examples/localdeploy"
	"github.com/lambdakit/lambdakit/examples/pipeline"
	"github.com/lambdakit/lambdakit/localstack"
)

func TestMain(m *testing.M) { localstack.Main(m) }

func TestIngest(t *testing.T) {
	msg := func(receive string) events.SQSMessage {
		return events.SQSMessage{Attributes: map[string]string{"ApproximateReceiveCount": receive}}
	}
	tests := []struct {
		name    string
		ev      pipeline.Event
		receive string
		wantErr bool
	}{
		{name: "created", ev: pipeline.Event{ID: "e1", Type: pipeline.TypeOrderCreated}, receive: "1"},
		{name: "cancelled", ev: pipeline.Event{ID: "e2", Type: pipeline.TypeOrderCancelled}, receive: "1"},
		{name: "flaky first receive fails", ev: pipeline.Event{ID: "e3", Type: pipeline.TypeOrderCreated, Flaky: true}, receive: "1", wantErr: true},
		{name: "flaky second receive succeeds", ev: pipeline.Event{ID: "e3", Type: pipeline.TypeOrderCreated, Flaky: true}, receive: "2"},
		{name: "unknown type", ev: pipeline.Event{ID: "e4", Type: "x"}, receive: "3", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := pipeline.Ingest(context.Background(), tt.ev, msg(tt.receive))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %t", err, tt.wantErr)
			}
		})
	}
}

// TestPipeline sends good, flaky and poison messages to the queue of the
// deployed pipeline and waits until the queue is empty and the DLQ holds
// exactly the poison messages: the flaky ones succeeded on their second
// receive, and the poison ones were moved after three.
func TestPipeline(t *testing.T) {
	em := localstack.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dep, err := localdeploy.Deploy(ctx, em, pipeline.Stack(), localdeploy.WithPrefix("pipeline-e2e"), localdeploy.WithRoot("../.."))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := dep.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	bodies, poison := pipeline.SampleMessages(30)
	if err := dep.SendMessages(ctx, "PipelineQueue", bodies...); err != nil {
		t.Fatal(err)
	}
	if _, err := dep.WaitQueues(ctx, map[string]int{"PipelineQueue": 0, "PipelineDLQ": poison}); err != nil {
		t.Fatal(err)
	}
	// Hold still a moment: nothing more may arrive in the DLQ.
	time.Sleep(500 * time.Millisecond)
	if n, err := dep.QueueDepth(ctx, "PipelineDLQ"); err != nil || n != poison {
		t.Fatalf("DLQ holds %d messages (err %v), want %d", n, err, poison)
	}
	if n := dep.Invocations()["PipelineIngestFunction"]; n < 3 {
		t.Errorf("Ingest ran %d times; the poison messages alone need three receives", n)
	}
}
