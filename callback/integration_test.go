package callback_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/batch"
	"github.com/lambdakit/lambdakit/callback"
	"github.com/lambdakit/lambdakit/handler"
	"github.com/lambdakit/lambdakit/localstack"
	"github.com/lambdakit/lambdakit/localstack/esm"
	"github.com/lambdakit/lambdakit/localstack/fixture"
)

func TestMain(m *testing.M) { localstack.Main(m) }

type image struct {
	Image string `json:"image"`
	Width int    `json:"width"`
	// Stall is how long the work takes, in milliseconds.
	Stall int `json:"stall,omitempty"`
}

type thumb struct {
	Thumb string `json:"thumb"`
}

// resize is the worker under test: it fails with a named error on a missing
// image and takes Stall milliseconds, unless its context ends first.
func resize(ctx context.Context, in image) (thumb, error) {
	if in.Image == "" {
		return thumb{}, &callback.Error{Name: "NoImage", Cause: "image is required"}
	}
	select {
	case <-time.After(time.Duration(in.Stall) * time.Millisecond):
	case <-ctx.Done():
		return thumb{}, context.Cause(ctx)
	}
	return thumb{Thumb: fmt.Sprintf("%s@%d", in.Image, in.Width)}, nil
}

// worker is an SQS queue with the callback worker running under the local
// event-source mapping, and the invocations the mapping settled.
type worker struct {
	queue *fixture.Queue
	sqs   *sqs.Client
	works atomic.Int32 // how many times resize ran
	mu    sync.Mutex
	invs  []esm.Invocation
}

func (w *worker) invocations() []esm.Invocation {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.invs)
}

// startWorker creates a queue for the test and runs SQSWorker(resize, opts)
// on it until the test ends. window is the mapping's batching window.
func startWorker(t *testing.T, window time.Duration, opts ...callback.Option) *worker {
	t.Helper()
	return startWorkerOn(t, newQueue(t, 10*time.Second), 10*time.Second, window, opts...)
}

// newQueue creates a queue for the test, with a dead-letter queue that takes
// a message after two receives.
func newQueue(t *testing.T, visibility time.Duration) *fixture.Queue {
	t.Helper()
	name := fmt.Sprintf("cb-%d", time.Now().UnixNano()%1e12) // queue names are at most 80 characters
	q, err := fixture.CreateQueue(t.Context(), localstack.Shared(t).AWSConfig(), name,
		fixture.WithDLQ(2), fixture.WithVisibilityTimeout(visibility))
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// startWorkerOn runs SQSWorker(resize, opts) on q under the local
// event-source mapping, with the given function timeout and batching window,
// until the test ends.
func startWorkerOn(t *testing.T, q *fixture.Queue, timeout, window time.Duration, opts ...callback.Option) *worker {
	t.Helper()
	cfg := localstack.Shared(t).AWSConfig()
	w := &worker{queue: q, sqs: sqs.NewFromConfig(cfg)}
	counted := func(ctx context.Context, in image) (thumb, error) {
		w.works.Add(1)
		return resize(ctx, in)
	}
	opts = append([]callback.Option{callback.WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil)))}, opts...)
	rh := callback.SQSWorker(sfn.NewFromConfig(cfg), counted, opts...)
	m, err := esm.New(w.sqs, q.URL, batch.SQS(rh),
		esm.WithReportBatchItemFailures(true),
		esm.WithTimeout(timeout),
		esm.WithBatchingWindow(window),
		esm.WithOnInvocation(func(inv esm.Invocation) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.invs = append(w.invs, inv)
		}))
	if err != nil {
		t.Fatal(err)
	}
	esm.RunInTest(t, m)
	return w
}

func deploy(t *testing.T, asl string, subs map[string]string) string {
	t.Helper()
	cfg := localstack.Shared(t).AWSConfig()
	name := fmt.Sprintf("cb-%s-%d", strings.TrimSuffix(asl, ".asl.json"), time.Now().UnixNano()%1e12)
	arn, err := fixture.DeployStateMachine(t.Context(), cfg, name, "testdata/"+asl, subs)
	if err != nil {
		t.Fatal(err)
	}
	return arn
}

func execute(t *testing.T, arn, input string) *fixture.Execution {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	ex, err := fixture.RunExecution(ctx, localstack.Shared(t).AWSConfig(), arn, "", input)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

func assertJSON(t *testing.T, want, got string) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %q: %v", want, err)
	}
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("got %q: %v", got, err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
}

func TestIntegrationSQSWorker(t *testing.T) {
	t.Parallel()
	w := startWorker(t, 0)
	arn := deploy(t, "sqs_worker.asl.json", map[string]string{"QueueUrl": w.queue.URL})

	t.Run("success is the task's output", func(t *testing.T) {
		ex := execute(t, arn, `{"image":"cat.png","width":64}`)
		if ex.Status != "SUCCEEDED" {
			t.Fatalf("status %s (%s: %s)", ex.Status, ex.Error, ex.Cause)
		}
		assertJSON(t, `{"thumb":"cat.png@64"}`, ex.Output)
	})
	t.Run("failure is caught by its name", func(t *testing.T) {
		ex := execute(t, arn, `{"image":"","width":64}`)
		if ex.Status != "SUCCEEDED" {
			t.Fatalf("status %s (%s: %s), want the Catch on NoImage to succeed", ex.Status, ex.Error, ex.Cause)
		}
		assertJSON(t, `{"image":"","width":64,"failure":{"Error":"NoImage","Cause":"image is required"}}`, ex.Output)
	})
	for _, inv := range w.invocations() {
		if inv.Err != nil || len(inv.Failed) > 0 {
			t.Errorf("invocation %s: err %v, failed %v; want every message deleted", inv.RequestID, inv.Err, inv.Failed)
		}
	}
}

// A redelivered message whose token was already answered must be deleted,
// not cycled until the dead-letter queue. With heartbeats on, the first
// heartbeat gets TaskTimedOut, as on AWS, and the work does not run again.
func TestIntegrationDuplicateDelivery(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		asl       string
		opts      []callback.Option
		window    time.Duration
		wantWorks int32 // runs of the work, first delivery included
	}{
		// Without heartbeats the duplicate runs the work again; its answer
		// then finds the task closed (TaskTimedOut) and is dropped.
		{"answer finds the task closed", "sqs_worker.asl.json", nil, 0, 2},
		// With heartbeats the first one goes out before the work and finds
		// the task closed (TaskTimedOut, as AWS answers for a task that has
		// ended), so the duplicate does no work at all.
		{"with heartbeats", "sqs_heartbeat.asl.json", []callback.Option{callback.WithHeartbeat(300 * time.Millisecond)}, time.Second, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := startWorker(t, tc.window, tc.opts...)
			arn := deploy(t, tc.asl, map[string]string{"QueueUrl": w.queue.URL})
			ex := execute(t, arn, `{"image":"dog.png","width":32,"stall":0}`)
			if ex.Status != "SUCCEEDED" {
				t.Fatalf("status %s (%s: %s)", ex.Status, ex.Error, ex.Cause)
			}
			// The execution may finish before the mapping has settled the
			// invocation that answered it.
			first := waitSettled(t, w)
			if len(first.Event.Records) != 1 {
				t.Fatalf("first invocation had %d messages, want 1", len(first.Event.Records))
			}
			// Deliver the same message again, as SQS may.
			body := first.Event.Records[0].Body
			dup, err := w.sqs.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: &w.queue.URL, MessageBody: &body})
			if err != nil {
				t.Fatal(err)
			}
			inv := waitInvocation(t, w, aws.ToString(dup.MessageId))
			if inv.Err != nil || !slices.Contains(inv.Deleted, aws.ToString(dup.MessageId)) {
				t.Errorf("duplicate: err %v, deleted %v; want it deleted", inv.Err, inv.Deleted)
			}
			if got := w.works.Load(); got != tc.wantWorks {
				t.Errorf("the work ran %d times, want %d", got, tc.wantWorks)
			}
		})
	}
}

func waitInvocation(t *testing.T, w *worker, messageID string) esm.Invocation {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, inv := range w.invocations() {
			for _, r := range inv.Event.Records {
				if r.MessageId == messageID {
					return inv
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("message %s was never delivered", messageID)
	return esm.Invocation{}
}

// The test bed enforces HeartbeatSeconds (3 in the fixture) in real time; it
// scales only Wait states and Retry intervals. So these tests take about five
// seconds each, in parallel.
func TestIntegrationHeartbeats(t *testing.T) {
	t.Parallel()
	t.Run("a silent worker times out", func(t *testing.T) {
		t.Parallel()
		w := startWorker(t, 0)
		arn := deploy(t, "sqs_heartbeat.asl.json", map[string]string{"QueueUrl": w.queue.URL})
		ex := execute(t, arn, `{"image":"big.png","width":8,"stall":5000}`)
		if ex.Status != "FAILED" || ex.Error != "States.Timeout" {
			t.Fatalf("status %s, error %q; want FAILED with States.Timeout", ex.Status, ex.Error)
		}
		// The late answer finds the task closed: the message is deleted, not retried.
		inv := waitSettled(t, w)
		if inv.Err != nil || len(inv.Failed) > 0 {
			t.Errorf("late answer: err %v, failed %v; want the message deleted", inv.Err, inv.Failed)
		}
	})
	t.Run("heartbeats keep a slow task alive", func(t *testing.T) {
		t.Parallel()
		w := startWorker(t, time.Second, callback.WithHeartbeat(300*time.Millisecond))
		arn := deploy(t, "sqs_heartbeat.asl.json", map[string]string{"QueueUrl": w.queue.URL})
		ex := execute(t, arn, `{"image":"big.png","width":8,"stall":5000}`)
		if ex.Status != "SUCCEEDED" {
			t.Fatalf("status %s (%s: %s)", ex.Status, ex.Error, ex.Cause)
		}
		assertJSON(t, `{"thumb":"big.png@8"}`, ex.Output)
	})
}

func waitSettled(t *testing.T, w *worker) esm.Invocation {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if invs := w.invocations(); len(invs) > 0 {
			return invs[0]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no invocation settled")
	return esm.Invocation{}
}

func TestIntegrationLambdaInvoke(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	cfg := em.AWSConfig()
	name := fmt.Sprintf("cb-resize-%d", time.Now().UnixNano()%1e9)
	h := handler.Chain(callback.Handler(sfn.NewFromConfig(cfg), resize, callback.WithInputField("input"),
		callback.WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil)))), handler.Recover())
	if _, err := em.RegisterFunction(t.Context(), name, h, 10*time.Second); err != nil {
		if errors.Is(err, localstack.ErrNotEmbedded) {
			t.Fatalf("lambda:invoke needs the embedded emulator: %v", err)
		}
		t.Fatal(err)
	}
	arn := deploy(t, "lambda_worker.asl.json", map[string]string{"FunctionName": name})

	ex := execute(t, arn, `{"image":"owl.png","width":16}`)
	if ex.Status != "SUCCEEDED" {
		t.Fatalf("status %s (%s: %s)", ex.Status, ex.Error, ex.Cause)
	}
	assertJSON(t, `{"thumb":"owl.png@16"}`, ex.Output)

	ex = execute(t, arn, `{"width":16}`)
	if ex.Status != "SUCCEEDED" {
		t.Fatalf("status %s (%s: %s), want the Catch on NoImage to succeed", ex.Status, ex.Error, ex.Cause)
	}
	assertJSON(t, `{"width":16,"failure":{"Error":"NoImage","Cause":"image is required"}}`, ex.Output)
}

// A message without a task token fails on every delivery and so ends in the
// dead-letter queue after the queue's maxReceiveCount (2 here).
func TestIntegrationMissingTokenEndsInDLQ(t *testing.T) {
	t.Parallel()
	q := newQueue(t, time.Second)
	w := startWorkerOn(t, q, time.Second, 0)
	sent, err := w.sqs.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: &q.URL, MessageBody: aws.String(`{"image":"cat.png"}`)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for {
		out, err := w.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q.DLQ.URL, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatalf("waiting for the message in the dead-letter queue: %v", err)
		}
		if len(out.Messages) > 0 {
			if got := aws.ToString(out.Messages[0].MessageId); got != aws.ToString(sent.MessageId) {
				t.Errorf("dead-letter queue has %s, want %s", got, aws.ToString(sent.MessageId))
			}
			break
		}
	}
	if got := w.works.Load(); got != 0 {
		t.Errorf("the work ran %d times for a message without a token, want 0", got)
	}
	for _, inv := range w.invocations() {
		if len(inv.Deleted) > 0 {
			t.Errorf("invocation deleted %v; a message without a token must never be deleted", inv.Deleted)
		}
	}
}
