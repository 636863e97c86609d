package esm

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"
)

// goldenMessages are what ReceiveMessage returns for the two records of testdata/sqs/event.golden.json: the first
// is the record of aws-lambda-go's events/testdata/sqs-event.json (without its list values, which SQS does not
// support yet), the second a FIFO record from the Lambda documentation.
func goldenMessages() []types.Message {
	return []types.Message{
		{
			MessageId:              aws.String("MessageID_1"),
			ReceiptHandle:          aws.String("MessageReceiptHandle"),
			Body:                   aws.String("Message Body"),
			MD5OfBody:              aws.String("fce0ea8dd236ccb3ed9b37dae260836f"),
			MD5OfMessageAttributes: aws.String("582c92c5c5b6ac403040a4f3ab3115c9"),
			Attributes: map[string]string{
				"ApproximateReceiveCount":          "2",
				"SentTimestamp":                    "1520621625029",
				"SenderId":                         "AROAIWPX5BD2BHG722MW4:sender",
				"ApproximateFirstReceiveTimestamp": "1520621634884",
			},
			MessageAttributes: map[string]types.MessageAttributeValue{
				"Attribute1": {DataType: aws.String("String"), StringValue: aws.String("AttributeValue1")},
				"Attribute2": {DataType: aws.String("Number"), StringValue: aws.String("123")},
				"Attribute3": {DataType: aws.String("Binary"), BinaryValue: []byte("1100")},
			},
		},
		{
			MessageId:     aws.String("059f36b4-87a3-44ab-83d2-661975830a7d"),
			ReceiptHandle: aws.String("AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a"),
			Body:          aws.String("Test message."),
			MD5OfBody:     aws.String("e4e68fb7bd0e697a0ae8f1bb342846b3"),
			Attributes: map[string]string{
				"ApproximateReceiveCount":          "1",
				"SentTimestamp":                    "1573251510774",
				"SequenceNumber":                   "18849496460467696128",
				"MessageGroupId":                   "1",
				"SenderId":                         "AIDAIO23YVJENQZJOL4VO",
				"MessageDeduplicationId":           "1",
				"ApproximateFirstReceiveTimestamp": "1573251510774",
			},
		},
	}
}

const goldenQueueARN = "arn:aws:sqs:us-west-2:123456789012:SQSQueue"

func TestMarshalSQSEventGolden(t *testing.T) {
	got, err := marshalSQSEvent(NewSQSEvent(goldenQueueARN, goldenMessages()))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "sqs", "event.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Compared as JSON values, so that key order and white space do not matter but null versus [] and absent
	// versus "" do.
	if diff := cmp.Diff(jsonValue(t, want), jsonValue(t, got)); diff != "" {
		t.Errorf("event JSON mismatch (-want +got):\n%s", diff)
	}
}

// TestNewSQSEventDecodesLikeAWSLambdaGo checks that a handler taking events.SQSEvent sees the same values as it
// does for aws-lambda-go's own sample event.
func TestNewSQSEventDecodesLikeAWSLambdaGo(t *testing.T) {
	b, err := marshalSQSEvent(NewSQSEvent(goldenQueueARN, goldenMessages()[:1]))
	if err != nil {
		t.Fatal(err)
	}
	var got events.SQSEvent
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := events.SQSEvent{Records: []events.SQSMessage{{
		MessageId:              "MessageID_1",
		ReceiptHandle:          "MessageReceiptHandle",
		Body:                   "Message Body",
		Md5OfBody:              "fce0ea8dd236ccb3ed9b37dae260836f",
		Md5OfMessageAttributes: "582c92c5c5b6ac403040a4f3ab3115c9",
		EventSourceARN:         goldenQueueARN,
		EventSource:            "aws:sqs",
		AWSRegion:              "us-west-2",
		Attributes: map[string]string{
			"ApproximateReceiveCount":          "2",
			"SentTimestamp":                    "1520621625029",
			"SenderId":                         "AROAIWPX5BD2BHG722MW4:sender",
			"ApproximateFirstReceiveTimestamp": "1520621634884",
		},
		MessageAttributes: map[string]events.SQSMessageAttribute{
			"Attribute1": {StringValue: aws.String("AttributeValue1"), StringListValues: []string{}, BinaryListValues: [][]byte{}, DataType: "String"},
			"Attribute2": {StringValue: aws.String("123"), StringListValues: []string{}, BinaryListValues: [][]byte{}, DataType: "Number"},
			"Attribute3": {BinaryValue: []byte("1100"), StringListValues: []string{}, BinaryListValues: [][]byte{}, DataType: "Binary"},
		},
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded event mismatch (-want +got):\n%s", diff)
	}
}

// TestEventRegionFromARN checks that a record's awsRegion is the queue ARN's region, and empty for a value that is
// not an ARN.
func TestEventRegionFromARN(t *testing.T) {
	tests := []struct{ arn, region string }{
		{"arn:aws:sqs:eu-west-1:000000000000:orders.fifo", "eu-west-1"},
		{"not-an-arn", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.arn, func(t *testing.T) {
			ev := NewSQSEvent(tt.arn, goldenMessages()[:1])
			if got := ev.Records[0].AWSRegion; got != tt.region {
				t.Errorf("awsRegion = %q, want %q", got, tt.region)
			}
		})
	}
}

func jsonValue(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	return v
}

func ExampleNewSQSEvent() {
	msgs := []types.Message{{
		MessageId:     aws.String("4c2b5e9a-0000-4000-8000-000000000001"),
		ReceiptHandle: aws.String("AQEB-receipt"),
		Body:          aws.String(`{"orderId":"o-1"}`),
		MD5OfBody:     aws.String("5ae4e4ee8aec0c0d5bf8ebbc4b5a5f47"),
		Attributes: map[string]string{
			"ApproximateReceiveCount": "1",
			"MessageGroupId":          "customer-7",
		},
	}}
	ev := NewSQSEvent("arn:aws:sqs:eu-west-1:123456789012:orders.fifo", msgs)
	r := ev.Records[0]
	fmt.Println(r.EventSource, r.AWSRegion, r.EventSourceARN)
	fmt.Println(r.MessageId, r.Body, r.Attributes["MessageGroupId"])
	// Output:
	// aws:sqs eu-west-1 arn:aws:sqs:eu-west-1:123456789012:orders.fifo
	// 4c2b5e9a-0000-4000-8000-000000000001 {"orderId":"o-1"} customer-7
}
