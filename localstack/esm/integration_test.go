package esm

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/handler"
	"github.com/lambdakit/lambdakit/localstack"
	"github.com/lambdakit/lambdakit/localstack/fixture"
	"github.com/lambdakit/lambdakit/localstack/runtimeapi"
)

// The mapping tests use two-second visibility timeouts so that a failed batch comes back quickly, yet a batch that
// succeeded is settled well before its messages could reappear, even on a loaded machine. The function timeout must
// not be longer, as Lambda (and the mapping) refuse a visibility timeout shorter than the function timeout.
const (
	testVisibility = 2 * time.Second
	testTimeout    = time.Second
)

// handlerFunc adapts a function to lambda.Handler, so a test can return raw bytes, including invalid JSON.
type handlerFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f handlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// esmQueue creates a queue with a unique name for the calling test and returns it with an SQS client.
func esmQueue(t *testing.T, name string, opts ...fixture.QueueOption) (*fixture.Queue, *sqs.Client) {
	t.Helper()
	cfg := localstack.Shared(t).AWSConfig()
	base, fifo := strings.CutSuffix(name, "-fifo")
	name = fmt.Sprintf("esm-%s-%d", base, time.Now().UnixNano()%1e9)
	if fifo {
		name += ".fifo"
	}
	opts = append([]fixture.QueueOption{fixture.WithVisibilityTimeout(testVisibility)}, opts...)
	q, err := fixture.CreateQueue(t.Context(), cfg, name, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return q, sqs.NewFromConfig(cfg)
}

// sendBodies sends one message per body, in order, and returns their message ids. For a FIFO queue, group names the
// message group of each body ("" for a standard queue).
func sendBodies(t *testing.T, client *sqs.Client, q *fixture.Queue, group func(i int) string, bodies ...string) []string {
	t.Helper()
	ids := make([]string, 0, len(bodies))
	for i, b := range bodies {
		in := &sqs.SendMessageInput{QueueUrl: aws.String(q.URL), MessageBody: aws.String(b)}
		if g := group(i); g != "" {
			in.MessageGroupId = aws.String(g)
			in.MessageDeduplicationId = aws.String(strconv.Itoa(i))
		}
		out, err := client.SendMessage(t.Context(), in)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.MessageId))
	}
	return ids
}

func noGroup(int) string { return "" }

// sendRange sends messages with bodies prefix<from>..prefix<to-1> using SendMessageBatch. It reports errors
// instead of failing the test, so that it can run in a goroutine.
func sendRange(ctx context.Context, client *sqs.Client, q *fixture.Queue, prefix string, from, to int) error {
	for start := from; start < to; start += 10 {
		var entries []types.SendMessageBatchRequestEntry
		for i := start; i < min(to, start+10); i++ {
			entries = append(entries, types.SendMessageBatchRequestEntry{
				Id:          aws.String(strconv.Itoa(i)),
				MessageBody: aws.String(prefix + strconv.Itoa(i)),
			})
		}
		out, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.URL), Entries: entries})
		if err != nil {
			return err
		}
		if len(out.Failed) > 0 {
			return fmt.Errorf("SendMessageBatch failed entries: %+v", out.Failed)
		}
	}
	return nil
}

// recorder collects a mapping's invocations.
type recorder struct {
	mu   sync.Mutex
	invs []Invocation
	more chan struct{}
}

func newRecorder() *recorder { return &recorder{more: make(chan struct{}, 1)} }

func (r *recorder) record(inv Invocation) {
	r.mu.Lock()
	r.invs = append(r.invs, inv)
	r.mu.Unlock()
	select {
	case r.more <- struct{}{}:
	default:
	}
}

// wait returns the first n invocations, failing the test if they do not arrive within d.
func (r *recorder) wait(t *testing.T, n int, d time.Duration) []Invocation {
	t.Helper()
	deadline := time.After(d)
	for {
		r.mu.Lock()
		if len(r.invs) >= n {
			out := append([]Invocation(nil), r.invs[:n]...)
			r.mu.Unlock()
			return out
		}
		got := len(r.invs)
		r.mu.Unlock()
		select {
		case <-r.more:
		case <-deadline:
			t.Fatalf("got %d invocations within %s, want %d", got, d, n)
		}
	}
}

// startMapping runs a mapping for the rest of the test: the cleanup cancels it and checks that Run returned nil.
func startMapping(t *testing.T, client SQSAPI, q *fixture.Queue, h lambda.Handler, opts ...Option) *recorder {
	t.Helper()
	rec := newRecorder()
	opts = append([]Option{
		WithTimeout(testTimeout),
		WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil))),
		WithOnInvocation(rec.record),
	}, opts...)
	m, err := New(client, q.URL, h, opts...)
	if err != nil {
		t.Fatal(err)
	}
	RunInTest(t, m)
	return rec
}

// queueCounts returns the queue's visible and in-flight message counts.
func queueCounts(t *testing.T, client *sqs.Client, url string) (visible, inFlight int) {
	t.Helper()
	visible, inFlight, err := queueDepth(t.Context(), client, url)
	if err != nil {
		t.Fatal(err)
	}
	return visible, inFlight
}

func queueDepth(ctx context.Context, client *sqs.Client, url string) (visible, inFlight int, err error) {
	out, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{
			types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		},
	})
	if err != nil {
		return 0, 0, err
	}
	visible, _ = strconv.Atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessages)])
	inFlight, _ = strconv.Atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessagesNotVisible)])
	return visible, inFlight, nil
}

// waitQueueEmpty waits for the deletes of invocations the test saw from inside the handler, which come after the
// handler returns.
func waitQueueEmpty(t *testing.T, client *sqs.Client, q *fixture.Queue) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if v, f := queueCounts(t, client, q.URL); v+f == 0 {
			return
		}
	}
	assertQueueEmpty(t, client, q)
}

func assertQueueEmpty(t *testing.T, client *sqs.Client, q *fixture.Queue) {
	t.Helper()
	if v, f := queueCounts(t, client, q.URL); v+f != 0 {
		t.Errorf("queue %s holds %d visible and %d in-flight messages, want none", q.Name, v, f)
	}
}

func recordIDs(ev events.SQSEvent) []string {
	ids := make([]string, len(ev.Records))
	for i, r := range ev.Records {
		ids[i] = r.MessageId
	}
	return ids
}

func receiveCounts(ev events.SQSEvent) []string {
	n := make([]string, len(ev.Records))
	for i, r := range ev.Records {
		n[i] = r.Attributes["ApproximateReceiveCount"]
	}
	return n
}

func decodeEvent(t *testing.T, payload []byte) events.SQSEvent {
	var ev events.SQSEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Errorf("payload is not an SQS event: %v", err)
	}
	return ev
}

// TestMappingEvent checks the event a handler receives against what Lambda sends, for a standard and a FIFO queue.
func TestMappingEvent(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"standard", "fifo"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			name := "event"
			if kind == "fifo" {
				name += "-fifo"
			}
			q, client := esmQueue(t, name)
			in := &sqs.SendMessageInput{
				QueueUrl:    aws.String(q.URL),
				MessageBody: aws.String(`{"orderId":"o-1"}`),
				MessageAttributes: map[string]types.MessageAttributeValue{
					"tenant":   {DataType: aws.String("String"), StringValue: aws.String("acme")},
					"priority": {DataType: aws.String("Number"), StringValue: aws.String("7")},
					"blob":     {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2}},
				},
			}
			if kind == "fifo" {
				in.MessageGroupId = aws.String("customer-7")
				in.MessageDeduplicationId = aws.String("d-1")
			}
			sent, err := client.SendMessage(t.Context(), in)
			if err != nil {
				t.Fatal(err)
			}

			type seen struct {
				payload  []byte
				lc       *lambdacontext.LambdaContext
				deadline time.Duration
			}
			got := make(chan seen, 1)
			h := handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
				lc, _ := lambdacontext.FromContext(ctx)
				d, _ := ctx.Deadline()
				got <- seen{payload, lc, time.Until(d)}
				return nil, nil
			})
			rec := startMapping(t, client, q, h)
			inv := rec.wait(t, 1, 10*time.Second)[0]
			s := <-got

			if s.lc == nil || s.lc.AwsRequestID != inv.RequestID || len(inv.RequestID) != 36 {
				t.Errorf("LambdaContext = %+v, want request id %q (a UUID)", s.lc, inv.RequestID)
			}
			wantARN := "arn:aws:lambda:us-east-1:" + strings.Split(q.ARN, ":")[4] + ":function:" + strings.TrimSuffix(q.Name, ".fifo") + "-consumer"
			if s.lc != nil && s.lc.InvokedFunctionArn != wantARN {
				t.Errorf("InvokedFunctionArn = %q, want %q", s.lc.InvokedFunctionArn, wantARN)
			}
			if s.deadline <= 0 || s.deadline > testTimeout {
				t.Errorf("deadline in %s, want within the function timeout %s", s.deadline, testTimeout)
			}

			// Check the wire JSON itself, not only what aws-lambda-go decodes from it.
			var raw struct {
				Records []map[string]json.RawMessage `json:"Records"`
			}
			if err := json.Unmarshal(s.payload, &raw); err != nil || len(raw.Records) != 1 {
				t.Fatalf("payload %s: %v", s.payload, err)
			}
			var keys []string
			for k := range raw.Records[0] {
				keys = append(keys, k)
			}
			wantKeys := []string{"attributes", "awsRegion", "body", "eventSource", "eventSourceARN", "md5OfBody", "md5OfMessageAttributes", "messageAttributes", "messageId", "receiptHandle"}
			if diff := cmp.Diff(wantKeys, keys, cmpSorted); diff != "" {
				t.Errorf("record keys mismatch (-want +got):\n%s", diff)
			}

			r := decodeEvent(t, s.payload).Records[0]
			sum := md5.Sum([]byte(`{"orderId":"o-1"}`))
			if r.MessageId != aws.ToString(sent.MessageId) || r.Body != `{"orderId":"o-1"}` || r.Md5OfBody != hex.EncodeToString(sum[:]) ||
				r.Md5OfMessageAttributes != aws.ToString(sent.MD5OfMessageAttributes) || r.ReceiptHandle == "" {
				t.Errorf("record = %+v, want message %s with body, md5 of body %x and md5 of attributes %s",
					r, aws.ToString(sent.MessageId), sum, aws.ToString(sent.MD5OfMessageAttributes))
			}
			if r.EventSource != "aws:sqs" || r.EventSourceARN != q.ARN || r.AWSRegion != "us-east-1" {
				t.Errorf("source = %q %q %q, want aws:sqs %q us-east-1", r.EventSource, r.EventSourceARN, r.AWSRegion, q.ARN)
			}
			wantAttrs := []string{"ApproximateFirstReceiveTimestamp", "ApproximateReceiveCount", "SenderId", "SentTimestamp"}
			if kind == "fifo" {
				wantAttrs = append(wantAttrs, "MessageDeduplicationId", "MessageGroupId", "SequenceNumber")
				if r.Attributes["MessageGroupId"] != "customer-7" || r.Attributes["MessageDeduplicationId"] != "d-1" {
					t.Errorf("FIFO attributes = %v", r.Attributes)
				}
			}
			var attrs []string
			for k := range r.Attributes {
				attrs = append(attrs, k)
			}
			if diff := cmp.Diff(wantAttrs, attrs, cmpSorted); diff != "" {
				t.Errorf("attribute names mismatch (-want +got):\n%s", diff)
			}
			if r.Attributes["ApproximateReceiveCount"] != "1" {
				t.Errorf("ApproximateReceiveCount = %q, want 1", r.Attributes["ApproximateReceiveCount"])
			}
			wantMA := map[string]events.SQSMessageAttribute{
				"tenant":   {StringValue: aws.String("acme"), StringListValues: []string{}, BinaryListValues: [][]byte{}, DataType: "String"},
				"priority": {StringValue: aws.String("7"), StringListValues: []string{}, BinaryListValues: [][]byte{}, DataType: "Number"},
				"blob":     {BinaryValue: []byte{0, 1, 2}, StringListValues: []string{}, BinaryListValues: [][]byte{}, DataType: "Binary"},
			}
			if diff := cmp.Diff(wantMA, r.MessageAttributes); diff != "" {
				t.Errorf("messageAttributes mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

var cmpSorted = cmp.Transformer("sort", func(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})

// TestMappingWholeBatchFails covers every documented way a batch fails as a whole: nothing is deleted, and the
// same messages come back after the visibility timeout with a higher receive count. The handler answers badly on
// the first receive and succeeds on the second.
func TestMappingWholeBatchFails(t *testing.T) {
	t.Parallel()
	errPayment := errors.New("payment service down")
	tests := []struct {
		name   string
		report bool
		first  func(ctx context.Context, ids []string) ([]byte, error)
		check  func(t *testing.T, err error)
	}{
		{
			name:  "function error",
			first: func(context.Context, []string) ([]byte, error) { return nil, errPayment },
			check: func(t *testing.T, err error) {
				if !errors.Is(err, errPayment) {
					t.Errorf("Err = %v, want the handler's error", err)
				}
			},
		},
		{
			name:   "function error with ReportBatchItemFailures",
			report: true,
			first:  func(context.Context, []string) ([]byte, error) { return []byte(`{"batchItemFailures":[]}`), errPayment },
			check: func(t *testing.T, err error) {
				if !errors.Is(err, errPayment) {
					t.Errorf("Err = %v, want the handler's error", err)
				}
			},
		},
		{
			name:  "panic",
			first: func(context.Context, []string) ([]byte, error) { panic("nil map") },
			check: func(t *testing.T, err error) {
				var pe *handler.PanicError
				if !errors.As(err, &pe) || pe.Value != "nil map" || len(pe.Stack) == 0 {
					t.Errorf("Err = %v, want a *handler.PanicError with value and stack", err)
				}
			},
		},
		{
			name: "timeout",
			first: func(ctx context.Context, ids []string) ([]byte, error) {
				<-ctx.Done()
				time.Sleep(100 * time.Millisecond) // Too late: the answer must be ignored.
				return nil, nil
			},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrFunctionTimeout) {
					t.Errorf("Err = %v, want ErrFunctionTimeout", err)
				}
			},
		},
		{name: "invalid JSON", report: true, first: respond(`{"batchItemFailures":[{"itemIdentifier":`)},
		{name: "not an object", report: true, first: respond(`"done"`)},
		{name: "list not an array", report: true, first: respond(`{"batchItemFailures":"all"}`)},
		{name: "empty itemIdentifier", report: true, first: respond(`{"batchItemFailures":[{"itemIdentifier":""}]}`)},
		{name: "null itemIdentifier", report: true, first: respond(`{"batchItemFailures":[{"itemIdentifier":null}]}`)},
		{name: "misspelt itemIdentifier key", report: true, first: func(_ context.Context, ids []string) ([]byte, error) {
			return fmt.Appendf(nil, `{"batchItemFailures":[{"itemIdentifer":%q}]}`, ids[0]), nil
		}},
		{name: "itemIdentifier not in batch", report: true, first: func(_ context.Context, ids []string) ([]byte, error) {
			return fmt.Appendf(nil, `{"batchItemFailures":[{"itemIdentifier":%q},{"itemIdentifier":"00000000-0000-4000-8000-000000000000"}]}`, ids[0]), nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q, client := esmQueue(t, "whole")
			sent := sendBodies(t, client, q, noGroup, "a", "b", "c")
			h := handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
				ev := decodeEvent(t, payload)
				if ev.Records[0].Attributes["ApproximateReceiveCount"] == "1" {
					return tt.first(ctx, recordIDs(ev))
				}
				return nil, nil
			})
			rec := startMapping(t, client, q, h, WithReportBatchItemFailures(tt.report))
			invs := rec.wait(t, 2, 15*time.Second)

			first, second := invs[0], invs[1]
			if diff := cmp.Diff(sent, recordIDs(first.Event), cmpSorted); diff != "" {
				t.Fatalf("first batch mismatch (-sent +got):\n%s", diff)
			}
			if first.Err == nil {
				t.Errorf("first invocation: Err = nil, want the batch to fail")
			}
			if tt.check != nil {
				tt.check(t, first.Err)
			} else if !errors.Is(first.Err, ErrInvalidBatchResponse) {
				t.Errorf("Err = %v, want ErrInvalidBatchResponse", first.Err)
			}
			if len(first.Deleted) != 0 || len(first.Failed) != 3 {
				t.Errorf("first invocation deleted %v and failed %v, want nothing deleted", first.Deleted, first.Failed)
			}
			if diff := cmp.Diff(sent, recordIDs(second.Event), cmpSorted); diff != "" {
				t.Errorf("retried batch mismatch (-sent +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"2", "2", "2"}, receiveCounts(second.Event)); diff != "" {
				t.Errorf("retried receive counts mismatch (-want +got):\n%s", diff)
			}
			if second.Err != nil || len(second.Deleted) != 3 {
				t.Errorf("second invocation: Err %v, deleted %v; want all deleted", second.Err, second.Deleted)
			}
			assertQueueEmpty(t, client, q)
		})
	}
}

func respond(s string) func(context.Context, []string) ([]byte, error) {
	return func(context.Context, []string) ([]byte, error) { return []byte(s), nil }
}

// TestMappingWholeBatchSucceeds covers the answers that delete the whole batch.
func TestMappingWholeBatchSucceeds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		report bool
		resp   func(ids []string) []byte
	}{
		{name: "no response", report: true, resp: func([]string) []byte { return nil }},
		{name: "null response", report: true, resp: func([]string) []byte { return []byte(`null`) }},
		{name: "empty object", report: true, resp: func([]string) []byte { return []byte(`{}`) }},
		{name: "empty list", report: true, resp: func([]string) []byte { return []byte(`{"batchItemFailures":[]}`) }},
		{name: "null list", report: true, resp: func([]string) []byte { return []byte(`{"batchItemFailures":null}`) }},
		{name: "without ReportBatchItemFailures failures are ignored", resp: func(ids []string) []byte {
			return fmt.Appendf(nil, `{"batchItemFailures":[{"itemIdentifier":%q}]}`, ids[0])
		}},
		{name: "without ReportBatchItemFailures garbage is success", resp: func([]string) []byte { return []byte(`<html>`) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q, client := esmQueue(t, "success")
			sent := sendBodies(t, client, q, noGroup, "a", "b", "c")
			h := handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
				return tt.resp(recordIDs(decodeEvent(t, payload))), nil
			})
			rec := startMapping(t, client, q, h, WithReportBatchItemFailures(tt.report))
			inv := rec.wait(t, 1, 10*time.Second)[0]
			if inv.Err != nil || len(inv.Failed) != 0 {
				t.Errorf("Err = %v, Failed = %v; want success", inv.Err, inv.Failed)
			}
			if diff := cmp.Diff(sent, inv.Deleted, cmpSorted); diff != "" {
				t.Errorf("deleted mismatch (-sent +deleted):\n%s", diff)
			}
			assertQueueEmpty(t, client, q)
		})
	}
}

// TestMappingPartialFailure: with ReportBatchItemFailures, exactly the unlisted messages are deleted and only the
// listed ones come back.
func TestMappingPartialFailure(t *testing.T) {
	t.Parallel()
	q, client := esmQueue(t, "partial")
	sent := sendBodies(t, client, q, noGroup, "a", "b", "c", "d")
	h := handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		var failures []map[string]string
		for _, r := range decodeEvent(t, payload).Records {
			if (r.Body == "b" || r.Body == "d") && r.Attributes["ApproximateReceiveCount"] == "1" {
				failures = append(failures, map[string]string{"itemIdentifier": r.MessageId})
			}
		}
		return json.Marshal(events.SQSEventResponse{BatchItemFailures: toItemFailures(failures)})
	})
	rec := startMapping(t, client, q, h, WithReportBatchItemFailures(true))
	invs := rec.wait(t, 2, 15*time.Second)
	if invs[0].Err != nil {
		t.Fatalf("first invocation: %v", invs[0].Err)
	}
	if diff := cmp.Diff([]string{sent[0], sent[2]}, invs[0].Deleted, cmpSorted); diff != "" {
		t.Errorf("deleted mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{sent[1], sent[3]}, invs[0].Failed, cmpSorted); diff != "" {
		t.Errorf("failed mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{sent[1], sent[3]}, recordIDs(invs[1].Event), cmpSorted); diff != "" {
		t.Errorf("retried batch mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"2", "2"}, receiveCounts(invs[1].Event)); diff != "" {
		t.Errorf("retried receive counts mismatch (-want +got):\n%s", diff)
	}
	assertQueueEmpty(t, client, q)
}

func toItemFailures(m []map[string]string) []events.SQSBatchItemFailure {
	out := make([]events.SQSBatchItemFailure, len(m))
	for i, f := range m {
		out[i] = events.SQSBatchItemFailure{ItemIdentifier: f["itemIdentifier"]}
	}
	return out
}

// TestMappingFIFOOrder sends two interleaved message groups to a FIFO queue, in batches of four that span both
// groups, and fails one message on its first receive (reporting it and the rest of its group in the batch, as a
// FIFO handler must). Each group must still be processed exactly in order, group B must not wait for group A's
// retry, and no two batches of one group may run at the same time, although the mapping may run two invocations
// at once.
//
// The failed message is A4, the last of group A in its batch: stock moto 5.2.1 redelivers two expired messages of
// one group out of order (the embedded launcher's sqs-fifo-redelivery patch fixes that), and the test must hold
// against whatever AWS_ENDPOINT_URL points at, so it does not depend on the patch.
func TestMappingFIFOOrder(t *testing.T) {
	t.Parallel()
	q, client := esmQueue(t, "order-fifo")
	var bodies []string
	for i := 1; i <= 6; i++ {
		bodies = append(bodies, fmt.Sprintf("A%d", i), fmt.Sprintf("B%d", i))
	}
	sendBodies(t, client, q, func(i int) string { return bodies[i][:1] }, bodies...)

	var (
		mu         sync.Mutex
		inFlight   = map[string]bool{}
		processed  = map[string][]string{}
		violations []string
		retried    bool // A4 came back for a second attempt
	)
	h := handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		ev := decodeEvent(t, payload)
		groups := map[string]bool{}
		mu.Lock()
		for _, r := range ev.Records {
			g := r.Attributes["MessageGroupId"]
			if inFlight[g] && !groups[g] {
				violations = append(violations, fmt.Sprintf("group %s delivered while a batch of it was in flight", g))
			}
			groups[g] = true
		}
		for g := range groups {
			inFlight[g] = true
		}
		mu.Unlock()

		time.Sleep(50 * time.Millisecond) // Widen the window in which an overlap would show.

		var resp events.SQSEventResponse
		failedGroup := map[string]bool{}
		mu.Lock()
		for _, r := range ev.Records {
			g := r.Attributes["MessageGroupId"]
			retried = retried || (r.Body == "A4" && r.Attributes["ApproximateReceiveCount"] == "2")
			if failedGroup[g] || (r.Body == "A4" && r.Attributes["ApproximateReceiveCount"] == "1") {
				failedGroup[g] = true
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
				continue
			}
			processed[g] = append(processed[g], r.Body)
		}
		for g := range groups {
			inFlight[g] = false
		}
		mu.Unlock()
		return json.Marshal(resp)
	})
	startMapping(t, client, q, h, WithReportBatchItemFailures(true), WithBatchSize(4), WithMaxConcurrency(2))

	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		done := len(processed["A"]) >= 6 && len(processed["B"]) >= 6
		mu.Unlock()
		if done {
			break
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	want := map[string][]string{"A": {"A1", "A2", "A3", "A4", "A5", "A6"}, "B": {"B1", "B2", "B3", "B4", "B5", "B6"}}
	if diff := cmp.Diff(want, processed); diff != "" {
		t.Errorf("processing order mismatch (-want +got):\n%s", diff)
	}
	if len(violations) > 0 {
		t.Errorf("group exclusivity violated: %v", violations)
	}
	if !retried {
		t.Errorf("A4 was never received a second time; the failure path was not exercised")
	}
	waitQueueEmpty(t, client, q)
}

// TestMappingDrainsOnCancel: cancelling Run lets the invocation in flight finish and settles it before Run returns.
func TestMappingDrainsOnCancel(t *testing.T) {
	t.Parallel()
	q, client := esmQueue(t, "drain")
	sent := sendBodies(t, client, q, noGroup, "a")
	started, release := make(chan struct{}), make(chan struct{})
	h := handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		close(started)
		<-release
		return nil, nil
	})
	rec := newRecorder()
	m, err := New(client, q.URL, h, WithTimeout(testTimeout), WithOnInvocation(rec.record),
		WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil))))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	<-started
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Run returned %v while an invocation was in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	invs := rec.wait(t, 1, 0)
	if diff := cmp.Diff(sent, invs[0].Deleted); diff != "" {
		t.Errorf("deleted mismatch (-want +got):\n%s", diff)
	}
	assertQueueEmpty(t, client, q)
}

// TestMappingReleasesGatheredMessages: messages received while a batching window was open, but never handed to
// the function, become visible again as soon as Run stops, instead of after the visibility timeout.
func TestMappingReleasesGatheredMessages(t *testing.T) {
	t.Parallel()
	q, client := esmQueue(t, "release", fixture.WithVisibilityTimeout(30*time.Second))
	sendBodies(t, client, q, noGroup, "a")
	h := handlerFunc(func(context.Context, []byte) ([]byte, error) {
		t.Error("handler called; the batching window should still be open")
		return nil, nil
	})
	m, err := New(client, q.URL, h, WithBatchSize(100), WithBatchingWindow(10*time.Second),
		WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil))))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, inFlight := queueCounts(t, client, q.URL); inFlight == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the mapping never received the message")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if visible, inFlight := queueCounts(t, client, q.URL); visible != 1 || inFlight != 0 {
		t.Errorf("after Run: %d visible, %d in flight; want the message visible again", visible, inFlight)
	}
}

// TestMappingDLQ1000 runs 1,000 messages through a handler that fails 10% of them on every receive (poison) and
// another 10% on their first receive only, against a queue whose redrive policy moves a message to its DLQ after
// three receives. Every message must end up either processed successfully exactly once or in the DLQ.
//
// A producer keeps about 100 messages in the queue rather than sending all 1,000 first: stock moto 5.2.1's
// SendMessage and ReceiveMessage cost time proportional to the queue's depth for every message (the embedded
// launcher's sqs-receive-cost patch fixes that, but AWS_ENDPOINT_URL may point at a stock moto), which would make a
// 1,000-deep queue take minutes.
func TestMappingDLQ1000(t *testing.T) {
	t.Parallel()
	const n, backlog = 1000, 100
	q, client := esmQueue(t, "dlq", fixture.WithDLQ(3))
	produced := make(chan error, 1)
	go func() {
		for sent := 0; sent < n; {
			v, f, err := queueDepth(t.Context(), client, q.URL)
			if err != nil {
				produced <- err
				return
			}
			if v+f >= backlog {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			k := min(backlog/2, n-sent)
			if err := sendRange(t.Context(), client, q, "m", sent, sent+k); err != nil {
				produced <- err
				return
			}
			sent += k
		}
		produced <- nil
	}()
	kind := func(body string) int { i, _ := strconv.Atoi(body[1:]); return i % 10 }
	const poison, flaky = 3, 7

	var (
		mu        sync.Mutex
		successes = map[string]int{}
	)
	h := handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		var resp events.SQSEventResponse
		mu.Lock()
		defer mu.Unlock()
		for _, r := range decodeEvent(t, payload).Records {
			switch k := kind(r.Body); {
			case k == poison, k == flaky && r.Attributes["ApproximateReceiveCount"] == "1":
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
			default:
				successes[r.Body]++
			}
		}
		return json.Marshal(resp)
	})
	startMapping(t, client, q, h, WithReportBatchItemFailures(true))
	if err := <-produced; err != nil {
		t.Fatal(err)
	}

	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		mu.Lock()
		ok := len(successes)
		mu.Unlock()
		dlqVisible, _ := queueCounts(t, client, q.DLQ.URL)
		if ok == n*9/10 && dlqVisible == n/10 {
			break
		}
		if time.Now().After(deadline) {
			v, f := queueCounts(t, client, q.URL)
			t.Fatalf("after 90s: %d messages processed, %d in the DLQ, %d visible and %d in flight in the queue; want %d and %d", ok, dlqVisible, v, f, n*9/10, n/10)
		}
	}

	dead := map[string]bool{}
	for len(dead) < n/10 {
		out, err := client.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q.DLQ.URL), MaxNumberOfMessages: 10, VisibilityTimeout: 60})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			dead[aws.ToString(m.Body)] = true
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for i := range n {
		body := "m" + strconv.Itoa(i)
		switch {
		case kind(body) == poison && (!dead[body] || successes[body] != 0):
			t.Errorf("poison message %s: in DLQ %v, processed %d times; want only in the DLQ", body, dead[body], successes[body])
		case kind(body) != poison && (dead[body] || successes[body] != 1):
			t.Errorf("message %s: in DLQ %v, processed %d times; want processed exactly once", body, dead[body], successes[body])
		}
	}
	waitQueueEmpty(t, client, q)
}

// TestRuntimeBehindMapping runs the built bootstrap as the function of an SQS event-source mapping, the way the
// deployed artifact consumes a queue.
func TestRuntimeBehindMapping(t *testing.T) {
	t.Parallel()
	r, err := runtimeapi.Start(t.Context(), bootstrapPath(t), runtimeapi.WithTimeout(testTimeout), runtimeapi.WithOutput(t.Output()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	q, client := esmQueue(t, "runtime")
	sent := sendBodies(t, client, q, noGroup, "a", "b")
	rec := startMapping(t, client, q, r, WithMaxConcurrency(1))
	inv := rec.wait(t, 1, 10*time.Second)[0]
	if inv.Err != nil {
		t.Fatalf("invocation failed: %v", inv.Err)
	}
	var got struct {
		RequestID string `json:"requestId"`
	}
	if err := json.Unmarshal(inv.Response, &got); err != nil {
		t.Fatalf("bootstrap reply %s: %v", inv.Response, err)
	}
	if got.RequestID != inv.RequestID {
		t.Errorf("the bootstrap saw request id %q, want the mapping's %q", got.RequestID, inv.RequestID)
	}
	if diff := cmp.Diff(sent, inv.Deleted, cmpSorted); diff != "" {
		t.Errorf("deleted mismatch (-sent +deleted):\n%s", diff)
	}
}

// bootstrapPath builds runtimeapi's test bootstrap as the deployed artifact is built (GOOS=linux CGO_ENABLED=0
// -tags lambda.norpc) and returns its path.
func bootstrapPath(t testing.TB) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", out, "../runtimeapi/testdata/bootstrap")
	cmd.Env = append(os.Environ(), "GOOS="+runtime.GOOS, "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build runtimeapi/testdata/bootstrap: %v\n%s", err, b)
	}
	return out
}
