package esm

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"
)

// fakeSQS serves a fixed list of messages once and records deletes. Its DeleteMessageBatch fails the entries whose
// receipt handle is in failDelete, as SQS does for a stale handle.
type fakeSQS struct {
	visibility string
	fifo       string
	attrsErr   error
	failDelete map[string]bool

	mu       sync.Mutex
	messages []types.Message
	deleted  []string
	released []string
}

func (f *fakeSQS) GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	if f.attrsErr != nil {
		return nil, f.attrsErr
	}
	return &sqs.GetQueueAttributesOutput{Attributes: map[string]string{
		"QueueArn":          "arn:aws:sqs:eu-west-1:123456789012:orders",
		"VisibilityTimeout": f.visibility,
		"FifoQueue":         f.fifo,
	}}, nil
}

func (f *fakeSQS) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, _ ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	f.mu.Lock()
	n := min(int(in.MaxNumberOfMessages), len(f.messages))
	out := f.messages[:n]
	f.messages = f.messages[n:]
	f.mu.Unlock()
	if n == 0 {
		// An empty long poll: wait a little, or until the mapping stops.
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return &sqs.ReceiveMessageOutput{Messages: out}, nil
}

func (f *fakeSQS) DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &sqs.DeleteMessageBatchOutput{}
	for _, e := range in.Entries {
		if f.failDelete[aws.ToString(e.ReceiptHandle)] {
			out.Failed = append(out.Failed, types.BatchResultErrorEntry{Id: e.Id, Code: aws.String("ReceiptHandleIsInvalid")})
			continue
		}
		f.deleted = append(f.deleted, aws.ToString(e.ReceiptHandle))
		out.Successful = append(out.Successful, types.DeleteMessageBatchResultEntry{Id: e.Id})
	}
	return out, nil
}

func (f *fakeSQS) ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range in.Entries {
		f.released = append(f.released, aws.ToString(e.ReceiptHandle))
	}
	return &sqs.ChangeMessageVisibilityBatchOutput{}, nil
}

var discardLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestNewEventSourceMappingValidation(t *testing.T) {
	ok := handlerFunc(func(context.Context, []byte) ([]byte, error) { return nil, nil })
	tests := []struct {
		name  string
		url   string
		opts  []Option
		valid bool
	}{
		{name: "defaults", url: "https://sqs/q", valid: true},
		{name: "standard batch 10000 with window", url: "https://sqs/q", opts: []Option{WithBatchSize(10000), WithBatchingWindow(time.Second)}, valid: true},
		{name: "standard batch 11 without window", url: "https://sqs/q", opts: []Option{WithBatchSize(11)}},
		{name: "standard batch 10001", url: "https://sqs/q", opts: []Option{WithBatchSize(10001), WithBatchingWindow(time.Second)}},
		{name: "FIFO batch 10", url: "https://sqs/q.fifo", opts: []Option{WithBatchSize(10)}, valid: true},
		{name: "batch 0", url: "https://sqs/q", opts: []Option{WithBatchSize(0)}},
		{name: "window 301s", url: "https://sqs/q", opts: []Option{WithBatchingWindow(301 * time.Second)}},
		{name: "negative window", url: "https://sqs/q", opts: []Option{WithBatchingWindow(-time.Second)}},
		{name: "concurrency 0", url: "https://sqs/q", opts: []Option{WithMaxConcurrency(0)}},
		{name: "timeout 0", url: "https://sqs/q", opts: []Option{WithTimeout(0)}},
		{name: "timeout 901s", url: "https://sqs/q", opts: []Option{WithTimeout(901 * time.Second)}},
		{name: "no URL", url: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(&fakeSQS{}, tt.url, ok, tt.opts...)
			if tt.valid && err != nil {
				t.Errorf("unexpected error: %v", err)
			}
			if !tt.valid && !errors.Is(err, ErrInvalidMapping) {
				t.Errorf("err = %v, want ErrInvalidMapping", err)
			}
		})
	}
}

func TestRunRefusesToStart(t *testing.T) {
	errDenied := errors.New("access denied")
	tests := []struct {
		name  string
		fake  *fakeSQS
		batch int
		want  error
	}{
		{name: "visibility shorter than timeout", fake: &fakeSQS{visibility: "2"}, want: ErrInvalidMapping},
		{name: "attributes unreadable", fake: &fakeSQS{attrsErr: errDenied}, want: errDenied},
		// FIFO is the queue's attribute, not its name: this URL has no .fifo suffix.
		{name: "FIFO batch 11", fake: &fakeSQS{visibility: "30", fifo: "true"}, batch: 11, want: ErrInvalidMapping},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(tt.fake, "https://sqs/orders", handlerFunc(func(context.Context, []byte) ([]byte, error) { return nil, nil }),
				WithTimeout(3*time.Second), WithLogger(discardLogger), WithBatchSize(max(tt.batch, 10)), WithBatchingWindow(time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Run(t.Context()); !errors.Is(err, tt.want) {
				t.Errorf("Run = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestMappingReportsOnlyConfirmedDeletes: a delete that SQS rejects is not reported as deleted.
func TestMappingReportsOnlyConfirmedDeletes(t *testing.T) {
	fake := &fakeSQS{
		visibility: "30",
		failDelete: map[string]bool{"rh-2": true},
		messages: []types.Message{
			{MessageId: aws.String("m-1"), ReceiptHandle: aws.String("rh-1"), Body: aws.String("a")},
			{MessageId: aws.String("m-2"), ReceiptHandle: aws.String("rh-2"), Body: aws.String("b")},
		},
	}
	got := make(chan Invocation, 1)
	m, err := New(fake, "https://sqs/orders", handlerFunc(func(context.Context, []byte) ([]byte, error) { return nil, nil }),
		WithLogger(discardLogger), WithOnInvocation(func(inv Invocation) { got <- inv }))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	inv := <-got
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"m-1"}, inv.Deleted); diff != "" {
		t.Errorf("Deleted mismatch (-want +got):\n%s", diff)
	}
	if inv.Event.Records[0].EventSourceARN != "arn:aws:sqs:eu-west-1:123456789012:orders" || inv.Event.Records[0].AWSRegion != "eu-west-1" {
		t.Errorf("record source = %q in %q", inv.Event.Records[0].EventSourceARN, inv.Event.Records[0].AWSRegion)
	}
}

// TestRunTwice: a mapping runs once at a time.
func TestRunTwice(t *testing.T) {
	fake := &fakeSQS{visibility: "30"}
	m, err := New(fake, "https://sqs/orders", handlerFunc(func(context.Context, []byte) ([]byte, error) { return nil, nil }),
		WithLogger(discardLogger))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	for !m.running.Load() {
		time.Sleep(time.Millisecond)
	}
	if err := m.Run(t.Context()); !errors.Is(err, ErrInvalidMapping) {
		t.Errorf("second Run = %v, want ErrInvalidMapping", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func BenchmarkSQSEventPayload(b *testing.B) {
	msgs := make([]types.Message, 10)
	for i := range msgs {
		msgs[i] = goldenMessages()[i%2]
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := marshalSQSEvent(NewSQSEvent(goldenQueueARN, msgs)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseBatchResponse(b *testing.B) {
	ids := map[string]bool{}
	for _, id := range []string{"m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10"} {
		ids[id] = true
	}
	resp := []byte(`{"batchItemFailures":[{"itemIdentifier":"m3"},{"itemIdentifier":"m7"}]}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseBatchResponse(resp, ids); err != nil {
			b.Fatal(err)
		}
	}
}
