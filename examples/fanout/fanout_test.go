package fanout_test

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/examples/fanout"
	"github.com/lambdakit/lambdakit/examples/localdeploy"
	"github.com/lambdakit/lambdakit/localstack"
)

func TestMain(m *testing.M) { localstack.Main(m) }

// inFlight records the most invocations of a function running at once.
type inFlight struct {
	lambda.Handler
	now, max *atomic.Int64
}

func (f inFlight) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	n := f.now.Add(1)
	defer f.now.Add(-1)
	for {
		m := f.max.Load()
		if n <= m || f.max.CompareAndSwap(m, n) {
			break
		}
	}
	return f.Handler.Invoke(ctx, payload)
}

// TestWorkflow runs the fanout state machine in the emulator: the
// Distributed Map, the direct Lambda path, and the queue path through the
// event-source mapping (MaximumConcurrency 2) and the callback worker.
func TestWorkflow(t *testing.T) {
	em := localstack.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var now, most atomic.Int64
	dep, err := localdeploy.Deploy(ctx, em, fanout.Stack(),
		localdeploy.WithPrefix("fanout-e2e"), localdeploy.WithRoot("../.."),
		localdeploy.WithVisibilityTimeout(10*time.Second),
		localdeploy.WithHandlerWrapper(func(id string, h lambda.Handler) lambda.Handler {
			if id != "FanoutWorkerFunction" {
				return h
			}
			return inFlight{Handler: h, now: &now, max: &most}
		}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := dep.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})

	const n = 12
	input, _ := json.Marshal(fanout.SampleInput("batch-1", n))
	ex, err := dep.Run(ctx, "FanoutStateMachine", "batch-1", string(input))
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != "SUCCEEDED" {
		t.Fatalf("execution ended %s %s: %s", ex.Status, ex.Error, ex.Cause)
	}
	var out struct {
		BatchID string          `json:"batchId"`
		Count   int             `json:"count"`
		Results []fanout.Result `json:"results"`
	}
	if err := json.Unmarshal([]byte(ex.Output), &out); err != nil {
		t.Fatal(err)
	}
	if out.BatchID != "batch-1" || out.Count != n || len(out.Results) != n {
		t.Fatalf("output %s, want %d results of batch-1", ex.Output, n)
	}
	heavy := 0
	for i, r := range out.Results {
		w := i%10 + 1
		want := fanout.Result{ID: r.ID, Index: i, Kind: "light", Value: w * (w + 1) * (2*w + 1) / 6, ProcessedBy: "ProcessItem"}
		if i%3 == 2 {
			want.Kind, want.ProcessedBy = "heavy", "Worker"
			heavy++
		}
		if diff := cmp.Diff(want, r); diff != "" {
			t.Errorf("result %d (-want +got):\n%s", i, diff)
		}
	}
	if got := dep.Invocations()["FanoutProcessItemFunction"]; got != int64(n-heavy) {
		t.Errorf("ProcessItem ran %d times, want %d", got, n-heavy)
	}
	if got := most.Load(); got < 1 || got > 2 {
		t.Errorf("at most %d Worker invocations ran at once, want 1 or 2 (MaximumConcurrency 2)", got)
	}

	t.Run("a failed item is recorded, not fatal", func(t *testing.T) {
		in := fanout.SampleInput("batch-bad", 3)
		in["items"].([]fanout.Item)[2].Weight = -1
		input, _ := json.Marshal(in)
		ex, err := dep.Run(ctx, "FanoutStateMachine", "batch-bad", string(input))
		if err != nil {
			t.Fatal(err)
		}
		if ex.Status != "SUCCEEDED" {
			t.Fatalf("execution ended %s %s: %s", ex.Status, ex.Error, ex.Cause)
		}
		var out struct{ Results []fanout.Result }
		if err := json.Unmarshal([]byte(ex.Output), &out); err != nil {
			t.Fatal(err)
		}
		want := []fanout.Result{
			{ID: "item-01", Index: 0, Kind: "light", Value: 1, ProcessedBy: "ProcessItem"},
			{ID: "item-02", Index: 1, Kind: "light", Value: 5, ProcessedBy: "ProcessItem"},
			{ID: "item-03", Index: 2, Kind: "heavy", Error: "InvalidItemError"},
		}
		if diff := cmp.Diff(want, out.Results); diff != "" {
			t.Errorf("results (-want +got):\n%s", diff)
		}
	})
}
