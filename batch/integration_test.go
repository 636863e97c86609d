package batch_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/batch"
	"github.com/lambdakit/lambdakit/localstack"
	"github.com/lambdakit/lambdakit/localstack/esm"
	"github.com/lambdakit/lambdakit/localstack/fixture"
)

// TestMain gives the integration tests one shared emulator, started only when
// a test asks for it.
func TestMain(m *testing.M) { localstack.Main(m) }

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// newQueue creates a queue named after the test, with a one-second
// visibility timeout so that failed messages come back quickly.
func newQueue(t *testing.T, name string, opts ...fixture.QueueOption) (*fixture.Queue, *sqs.Client) {
	t.Helper()
	cfg := localstack.Shared(t).AWSConfig()
	base, fifo := strings.CutSuffix(name, "-fifo")
	name = fmt.Sprintf("batch-%s-%d", base, time.Now().UnixNano()%1e9)
	if fifo {
		name += ".fifo"
	}
	opts = append([]fixture.QueueOption{fixture.WithVisibilityTimeout(time.Second)}, opts...)
	q, err := fixture.CreateQueue(t.Context(), cfg, name, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return q, sqs.NewFromConfig(cfg)
}

// send sends bodies in batches of ten; group gives a FIFO message group ("" on
// a standard queue).
func send(t *testing.T, client *sqs.Client, q *fixture.Queue, group func(body string) string, bodies ...string) {
	t.Helper()
	for chunk := range slices.Chunk(bodies, 10) {
		var entries []types.SendMessageBatchRequestEntry
		for i, b := range chunk {
			e := types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(b)}
			if g := group(b); g != "" {
				e.MessageGroupId, e.MessageDeduplicationId = aws.String(g), aws.String(b)
			}
			entries = append(entries, e)
		}
		out, err := client.SendMessageBatch(t.Context(), &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.URL), Entries: entries})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Failed) > 0 {
			t.Fatalf("send failed: %+v", out.Failed)
		}
	}
}

// runMapping runs the local event-source mapping with ReportBatchItemFailures
// for the rest of the test.
func runMapping(t *testing.T, client *sqs.Client, q *fixture.Queue, h lambda.Handler, onInv func(esm.Invocation), opts ...esm.Option) {
	t.Helper()
	opts = append([]esm.Option{
		esm.WithReportBatchItemFailures(true),
		esm.WithTimeout(time.Second),
		esm.WithLogger(discard),
		esm.WithOnInvocation(onInv),
	}, opts...)
	m, err := esm.New(client, q.URL, h, opts...)
	if err != nil {
		t.Fatal(err)
	}
	esm.RunInTest(t, m)
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// drain receives and deletes everything visible in q and returns the bodies.
func drain(t *testing.T, client *sqs.Client, q *fixture.Queue) []string {
	t.Helper()
	var bodies []string
	for {
		out, err := client.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q.URL), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return bodies
		}
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
			if _, err := client.DeleteMessage(t.Context(), &sqs.DeleteMessageInput{QueueUrl: aws.String(q.URL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func depth(t *testing.T, client *sqs.Client, q *fixture.Queue) int {
	t.Helper()
	out, err := client.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(q.URL),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages, types.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := strconv.Atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessages)])
	b, _ := strconv.Atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessagesNotVisible)])
	return a + b
}

// TestIntegrationDLQ sends 1,000 messages of which every 10th always fails to
// a queue with a DLQ after three receives. Every good message must be
// processed successfully exactly once and every bad one end in the DLQ: none
// lost.
func TestIntegrationDLQ(t *testing.T) {
	t.Parallel()
	q, client := newQueue(t, "dlq", fixture.WithDLQ(3))
	const n = 1000
	var bodies []string
	for i := range n {
		bodies = append(bodies, fmt.Sprintf("m-%04d", i))
	}
	send(t, client, q, func(string) string { return "" }, bodies...)

	var mu sync.Mutex
	succeeded := map[string]int{}
	var attempts int
	h := batch.SQS(func(ctx context.Context, m events.SQSMessage) error {
		mu.Lock()
		defer mu.Unlock()
		attempts++
		var i int
		fmt.Sscanf(m.Body, "m-%d", &i)
		if i%10 == 9 {
			return errors.New("poison message")
		}
		succeeded[m.Body]++
		return nil
	}, batch.WithConcurrency(4), batch.WithLogger(discard))
	runMapping(t, client, q, h, func(inv esm.Invocation) {
		// Retried poison messages come back together, so a batch may fail
		// entirely: that is an *AllFailedError, anything else is a bug.
		if all := new(batch.AllFailedError); inv.Err != nil && !errors.As(inv.Err, &all) {
			t.Errorf("invocation failed as a whole: %v", inv.Err)
		}
	}, esm.WithBatchSize(10), esm.WithMaxConcurrency(5))

	waitFor(t, 90*time.Second, "900 successes and an empty source queue", func() bool {
		mu.Lock()
		ok := len(succeeded) == n-n/10
		mu.Unlock()
		return ok && depth(t, client, q) == 0
	})
	dlq := drain(t, client, q.DLQ)
	slices.Sort(dlq)
	var wantDLQ []string
	for i := 9; i < n; i += 10 {
		wantDLQ = append(wantDLQ, fmt.Sprintf("m-%04d", i))
	}
	if diff := cmp.Diff(wantDLQ, dlq); diff != "" {
		t.Errorf("DLQ content (-want +got):\n%s", diff)
	}
	mu.Lock()
	defer mu.Unlock()
	for b, c := range succeeded {
		if c != 1 {
			t.Errorf("%s processed successfully %d times, want once", b, c)
		}
	}
	t.Logf("%d record attempts for %d messages", attempts, n)
}

// TestIntegrationFIFO sends two interleaved message groups to a FIFO queue;
// B3 fails on its first two attempts. Both groups must be processed
// successfully in order, each message once, in the strict mode and with
// WithSkipGroupOnFailure, where group A must not wait for B's retries.
func TestIntegrationFIFO(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"strict", "skip-group"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			q, client := newQueue(t, mode+"-fifo")
			var bodies []string
			for i := range 8 {
				bodies = append(bodies, fmt.Sprintf("A%d", i), fmt.Sprintf("B%d", i))
			}
			send(t, client, q, func(b string) string { return b[:1] }, bodies...)

			var mu sync.Mutex
			done := map[string][]string{}
			failures := 0
			opts := []batch.Option{batch.WithLogger(discard), batch.WithConcurrency(2)}
			if mode == "skip-group" {
				opts = append(opts, batch.WithSkipGroupOnFailure())
			}
			h := batch.SQS(func(ctx context.Context, m events.SQSMessage) error {
				mu.Lock()
				defer mu.Unlock()
				if m.Body == "B3" && failures < 2 {
					failures++
					return errors.New("transient")
				}
				g := m.Attributes["MessageGroupId"]
				done[g] = append(done[g], m.Body)
				return nil
			}, opts...)
			runMapping(t, client, q, h, func(inv esm.Invocation) {
				var b []string
				for _, r := range inv.Event.Records {
					b = append(b, r.Body+"/"+r.Attributes["ApproximateReceiveCount"])
				}
				t.Logf("batch %v failed %d err %v", b, len(inv.Failed), inv.Err)
				// A batch holding only B3 fails as a whole (all records failed).
				if all := new(batch.AllFailedError); inv.Err != nil && !errors.As(inv.Err, &all) {
					t.Errorf("invocation failed as a whole: %v", inv.Err)
				}
			}, esm.WithBatchSize(10), esm.WithMaxConcurrency(2))

			waitFor(t, 30*time.Second, "both groups", func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(done["A"]) >= 8 && len(done["B"]) >= 8
			})
			mu.Lock()
			defer mu.Unlock()
			want := map[string][]string{}
			for i := range 8 {
				want["A"] = append(want["A"], fmt.Sprintf("A%d", i))
				want["B"] = append(want["B"], fmt.Sprintf("B%d", i))
			}
			if diff := cmp.Diff(want, done); diff != "" {
				t.Errorf("successful processing order (-want +got):\n%s", diff)
			}
			if failures != 2 {
				t.Errorf("B3 failed %d times, want 2", failures)
			}
		})
	}
}

// TestIntegrationDeadline runs batches that cannot finish within the function
// timeout: 10 records of 300 ms each against a 2 s timeout. Each invocation
// must answer in time with the unstarted records reported, never time out
// as a whole, and every message must be processed successfully exactly once.
func TestIntegrationDeadline(t *testing.T) {
	t.Parallel()
	q, client := newQueue(t, "deadline", fixture.WithVisibilityTimeout(2*time.Second))
	var bodies []string
	for i := range 10 {
		bodies = append(bodies, fmt.Sprintf("d%d", i))
	}
	send(t, client, q, func(string) string { return "" }, bodies...)

	var mu sync.Mutex
	succeeded := map[string]int{}
	var invs []esm.Invocation
	h := batch.SQS(func(ctx context.Context, m events.SQSMessage) error {
		select {
		case <-time.After(300 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
		mu.Lock()
		succeeded[m.Body]++
		mu.Unlock()
		return nil
	}, batch.WithDeadlineMargin(500*time.Millisecond), batch.WithLogger(discard), batch.WithAllFailed(batch.ReportAll))
	runMapping(t, client, q, h, func(inv esm.Invocation) {
		mu.Lock()
		invs = append(invs, inv)
		mu.Unlock()
	}, esm.WithTimeout(2*time.Second), esm.WithMaxConcurrency(1))

	waitFor(t, 60*time.Second, "all messages processed", func() bool {
		mu.Lock()
		ok := len(succeeded) == len(bodies)
		mu.Unlock()
		return ok && depth(t, client, q) == 0
	})
	mu.Lock()
	defer mu.Unlock()
	for b, c := range succeeded {
		if c != 1 {
			t.Errorf("%s processed successfully %d times, want once", b, c)
		}
	}
	if len(invs) < 2 {
		t.Fatalf("%d invocations; the first batch should have run into the deadline", len(invs))
	}
	first := invs[0]
	if first.Err != nil {
		t.Errorf("first invocation failed as a whole: %v", first.Err)
	}
	if len(first.Failed) == 0 || len(first.Deleted) == 0 {
		t.Errorf("first invocation deleted %d and returned %d; want a partial answer", len(first.Deleted), len(first.Failed))
	}
	for _, inv := range invs {
		if errors.Is(inv.Err, esm.ErrFunctionTimeout) {
			t.Errorf("an invocation timed out: %v", inv.Err)
		}
	}
}
