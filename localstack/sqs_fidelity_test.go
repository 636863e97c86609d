package localstack_test

import (
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/lambdakit/lambdakit/localstack"
	"github.com/lambdakit/lambdakit/localstack/fixture"
)

// SQS as AWS answers it, driven through the SDK. Each case is documented AWS
// behaviour that stock moto 5.2.1 gets wrong; the launcher's sqs-* patches
// fix them (TestMotoPatchSet lists them).

// sqsQueue creates a queue named after base and the test, and returns it with
// a client.
func sqsQueue(t *testing.T, base string, opts ...fixture.QueueOption) (*fixture.Queue, *sqs.Client) {
	t.Helper()
	cfg := localstack.Shared(t).AWSConfig()
	q, err := fixture.CreateQueue(testContext(t), cfg, fixture.Name(t, base), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return q, sqs.NewFromConfig(cfg)
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
// (MessageSystemAttributeNames: DeadLetterQueueSourceArn).
func TestSQSDeadLetterQueueSourceArn(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	q, client := sqsQueue(t, "src", fixture.WithDLQ(1))
	for url, body := range map[string]string{q.URL: "moved", q.DLQ.URL: "sent to the DLQ directly"} {
		if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	// The first receive counts and gives the message back at once; the second
	// finds it at its maxReceiveCount and moves it to the DLQ.
	first, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q.URL)})
	if err != nil || len(first.Messages) != 1 {
		t.Fatalf("first receive: %v, %d messages", err, len(first.Messages))
	}
	release(t, client, q.URL, first.Messages)
	if again, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q.URL)}); err != nil || len(again.Messages) != 0 {
		t.Fatalf("second receive: %v, %d messages; want the message moved to the DLQ", err, len(again.Messages))
	}
	source := string(types.MessageSystemAttributeNameDeadLetterQueueSourceArn)
	for _, ask := range [][]types.MessageSystemAttributeName{
		{types.MessageSystemAttributeNameAll},
		{types.MessageSystemAttributeNameDeadLetterQueueSourceArn},
		nil,
	} {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(q.DLQ.URL), MaxNumberOfMessages: 10, MessageSystemAttributeNames: ask,
		})
		if err != nil {
			t.Fatal(err)
		}
		release(t, client, q.DLQ.URL, out.Messages)
		got := map[string]string{}
		for _, m := range out.Messages {
			got[aws.ToString(m.Body)] = m.Attributes[source]
		}
		want := map[string]string{"moved": q.ARN, "sent to the DLQ directly": ""}
		if ask == nil {
			want["moved"] = "" // not asked for, not returned
		}
		for body, arn := range want {
			if got[body] != arn {
				t.Errorf("asking for %v: %q has DeadLetterQueueSourceArn %q, want %q", ask, body, got[body], arn)
			}
		}
	}
}

// release makes msgs visible again at once.
func release(t *testing.T, client *sqs.Client, url string, msgs []types.Message) {
	t.Helper()
	for _, m := range msgs {
		if _, err := client.ChangeMessageVisibility(t.Context(), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
			t.Fatal(err)
		}
	}
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html#API_SendMessage_ResponseElements:
// SequenceNumber, "a large, non-consecutive number ... 128 bits", for FIFO queues only.
func TestSQSFIFOSequenceNumber(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	q, client := sqsQueue(t, "seq.fifo", fixture.WithQueueAttribute("ContentBasedDeduplication", "true"))
	var sent []string
	for _, body := range []string{"a", "b"} {
		out, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q.URL), MessageBody: aws.String(body), MessageGroupId: aws.String("g")})
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, aws.ToString(out.SequenceNumber))
	}
	var entries []types.SendMessageBatchRequestEntry
	for i := range 3 {
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String("c" + strconv.Itoa(i)), MessageGroupId: aws.String("g")})
	}
	batch, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.URL), Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range batch.Successful {
		sent = append(sent, aws.ToString(s.SequenceNumber))
	}
	for i, s := range sent {
		if _, err := strconv.ParseUint(s[:min(len(s), 19)], 10, 64); err != nil || len(s) < 20 {
			t.Errorf("SequenceNumber %q: want a string of at least 20 digits", s)
		}
		if i > 0 && (len(s) < len(sent[i-1]) || len(s) == len(sent[i-1]) && s <= sent[i-1]) {
			t.Errorf("SequenceNumber %s after %s: want increasing within the group", s, sent[i-1])
		}
	}
	var received []string
	for len(received) < len(sent) {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(q.URL), MaxNumberOfMessages: 10,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameSequenceNumber},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			t.Fatalf("received %d of %d messages", len(received), len(sent))
		}
		for _, m := range out.Messages {
			received = append(received, m.Attributes[string(types.MessageSystemAttributeNameSequenceNumber)])
			if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(q.URL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !slices.Equal(received, sent) {
		t.Errorf("received SequenceNumbers %v, sent %v", received, sent)
	}
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html#API_SendMessage_RequestParameters:
// MessageBody is required, at least one character, from #x9 | #xA | #xD |
// #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
func TestSQSMessageBodyCharacters(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	q, client := sqsQueue(t, "body")
	for _, tc := range []struct {
		body, code string
	}{
		{"", "MissingParameter"},
		{"a\x00b", "InvalidMessageContents"},
		{"\x0b", "InvalidMessageContents"},
		{"\ufffe", "InvalidMessageContents"},
		{"\t\n\r ok", ""},
		{"\ud7ff\ue000\ufffd", ""},
		{"\U0001f600 \U0010ffff", ""},
	} {
		_, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q.URL), MessageBody: aws.String(tc.body)})
		if got := errorCode(err); got != tc.code {
			t.Errorf("SendMessage(%q): error code %q (%v), want %q", tc.body, got, err, tc.code)
		}
	}
	// In a batch, a bad entry fails alone, as a sender fault, and the rest is sent.
	out, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.URL), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("good"), MessageBody: aws.String("fine")},
		{Id: aws.String("empty"), MessageBody: aws.String("")},
		{Id: aws.String("nul"), MessageBody: aws.String("\x00")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]string{}
	for _, f := range out.Failed {
		if !f.SenderFault {
			t.Errorf("entry %s: SenderFault false", aws.ToString(f.Id))
		}
		failed[aws.ToString(f.Id)] = aws.ToString(f.Code)
	}
	if len(out.Successful) != 1 || aws.ToString(out.Successful[0].Id) != "good" ||
		failed["empty"] != "MissingParameter" || failed["nul"] != "InvalidMessageContents" {
		t.Errorf("SendMessageBatch: successful %d, failed %v; want good sent, empty MissingParameter, nul InvalidMessageContents", len(out.Successful), failed)
	}
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html:
// "A FIFO queue name must end with the .fifo suffix", and only a FIFO queue
// may: a standard queue named x.fifo is refused.
func TestSQSFIFONameNeedsFIFOQueue(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	client := sqs.NewFromConfig(localstack.Shared(t).AWSConfig())
	_, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(fixture.Name(t, "std.fifo"))})
	if got := errorCode(err); got != "InvalidParameterValue" {
		t.Errorf("CreateQueue(std.fifo) without FifoQueue: error code %q (%v), want InvalidParameterValue", got, err)
	}
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_PurgeQueue.html:
// one purge per queue per 60 seconds; the next gets PurgeQueueInProgress.
func TestSQSPurgeQueueInProgress(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	q, client := sqsQueue(t, "purge")
	if _, err := client.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(q.URL)}); err != nil {
		t.Fatalf("first PurgeQueue: %v", err)
	}
	_, err := client.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(q.URL)})
	if inProgress := new(types.PurgeQueueInProgress); !errors.As(err, &inProgress) {
		t.Errorf("second PurgeQueue within 60 s: %v, want *types.PurgeQueueInProgress", err)
	}
}
