package main

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdakit/lambdakit/examples/fanout"
	"github.com/lambdakit/lambdakit/examples/localdeploy"
	"github.com/lambdakit/lambdakit/examples/pipeline"
)

// concurrency records the most invocations of a function in flight at once.
type concurrency struct {
	lambda.Handler
	now, max *atomic.Int64
}

func (c concurrency) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	n := c.now.Add(1)
	defer c.now.Add(-1)
	for m := c.max.Load(); n > m && !c.max.CompareAndSwap(m, n); m = c.max.Load() {
	}
	return c.Handler.Invoke(ctx, payload)
}

func fanoutScenario() scenario {
	var now, most atomic.Int64
	return scenario{
		name: "fanout",
		summary: "Distributed Map over the items; heavy items go through an SQS queue to a worker with " +
			"MaximumConcurrency 2 that answers by task token; the Map gathers every result",
		spec: fanout.Stack,
		opts: []localdeploy.Option{
			localdeploy.WithVisibilityTimeout(10 * time.Second),
			localdeploy.WithHandlerWrapper(func(id string, h lambda.Handler) lambda.Handler {
				if id != "FanoutWorkerFunction" {
					return h
				}
				return concurrency{Handler: h, now: &now, max: &most}
			}),
		},
		run: func(ctx context.Context, dep *localdeploy.Deployment, r *result, logf func(string, ...any)) error {
			r.checkpoints = -1
			r.wantDLQ = map[string]int{"FanoutHeavyDLQ": 0}
			const n = 24
			input, _ := json.Marshal(fanout.SampleInput("batch-1", n))
			logf("running a batch of %d items, every third one heavy", n)
			ex, err := dep.Run(ctx, "FanoutStateMachine", "batch-1", string(input))
			if err != nil {
				return err
			}
			r.add("batch-1", ex, "SUCCEEDED")
			logf("batch-1: %s %s", ex.Status, ex.Error)
			var out struct {
				Count   int             `json:"count"`
				Results []fanout.Result `json:"results"`
			}
			if err := json.Unmarshal([]byte(ex.Output), &out); err == nil && ex.Status == "SUCCEEDED" {
				by := map[string]int{}
				for _, res := range out.Results {
					by[res.ProcessedBy]++
				}
				r.fact("%d results gathered: %d by ProcessItem directly, %d by the queue Worker", out.Count, by["ProcessItem"], by["Worker"])
			}
			if m := most.Load(); m > 2 {
				r.problem("%d Worker invocations ran at once, above MaximumConcurrency 2", m)
			} else {
				r.fact("at most %d Worker invocations ran at once (MaximumConcurrency 2)", m)
			}
			return nil
		},
	}
}

func pipelineScenario() scenario {
	return scenario{
		name: "pipeline",
		summary: "an SQS-fed function with partial batch failures (ReportBatchItemFailures): flaky messages succeed " +
			"on redelivery, poison messages end in the DLQ after maxReceiveCount 3",
		spec: pipeline.Stack,
		run: func(ctx context.Context, dep *localdeploy.Deployment, r *result, logf func(string, ...any)) error {
			r.checkpoints = -1
			bodies, poison := pipeline.SampleMessages(40)
			r.wantDLQ = map[string]int{"PipelineDLQ": poison}
			logf("sending %d messages: %d events (every fifth flaky) and %d poison messages", len(bodies), len(bodies)-poison, poison)
			if err := dep.SendMessages(ctx, "PipelineQueue", bodies...); err != nil {
				return err
			}
			waitCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
			defer cancel()
			start := time.Now()
			depths, err := dep.WaitQueues(waitCtx, map[string]int{"PipelineQueue": 0, "PipelineDLQ": poison})
			if err != nil {
				r.problem("the queues did not settle: %v (%v)", depths, err)
				return nil
			}
			logf("queue drained in %s; DLQ holds %d", time.Since(start).Round(100*time.Millisecond), depths["PipelineDLQ"])
			r.fact("%d of %d messages processed; %d poison messages moved to the DLQ after 3 receives each",
				len(bodies)-poison, len(bodies), poison)
			return nil
		},
	}
}
