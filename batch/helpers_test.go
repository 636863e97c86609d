package batch

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// orderBody is the body the tests and benchmarks put in SQS messages.
type orderBody struct {
	OrderID  string            `json:"orderId"`
	Customer string            `json:"customer"`
	Items    []orderItem       `json:"items"`
	Tags     map[string]string `json:"tags"`
	Note     string            `json:"note"`
	Fail     bool              `json:"fail"`
}

type orderItem struct {
	SKU   string  `json:"sku"`
	Qty   int     `json:"qty"`
	Price float64 `json:"price"`
}

// sqsEvent builds an SQS event of n records with JSON bodies of about
// bodySize bytes, as the mapping delivers them from the queue queueARN. Every
// 10th record's body has fail set. FIFO records get two message groups.
func sqsEvent(n, bodySize int, queueARN string) events.SQSEvent {
	recs := make([]events.SQSMessage, n)
	for i := range recs {
		b := orderBody{OrderID: fmt.Sprintf("o-%06d", i), Customer: "Zoë \"the\" customer", Tags: map[string]string{"channel": "web", "tier": "gold"}, Fail: i%10 == 9}
		for j := 0; len(mustJSON(b)) < bodySize-40 && j < 4; j++ {
			b.Items = append(b.Items, orderItem{SKU: fmt.Sprintf("sku-%05d", j), Qty: j + 1, Price: 9.99})
		}
		if pad := bodySize - len(mustJSON(b)); pad > 0 {
			b.Note = strings.Repeat("n", pad)
		}
		attrs := map[string]string{
			"ApproximateReceiveCount":          "1",
			"SentTimestamp":                    "1545082649183",
			"SenderId":                         "AIDAIENQZJOLO23YVJ4VO",
			"ApproximateFirstReceiveTimestamp": "1545082649185",
		}
		if strings.HasSuffix(queueARN, ".fifo") {
			attrs["MessageGroupId"] = fmt.Sprintf("g%d", i%2)
			attrs["SequenceNumber"] = fmt.Sprintf("%020d", i)
			attrs["MessageDeduplicationId"] = fmt.Sprintf("d-%d", i)
		}
		recs[i] = events.SQSMessage{
			MessageId:         fmt.Sprintf("059f36b4-87a3-44ab-83d2-%012d", i),
			ReceiptHandle:     "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a/" + strings.Repeat("Rcv", 40),
			Body:              string(mustJSON(b)),
			Md5OfBody:         "e4e68fb7bd0e697a0ae8f1bb342846b3",
			Attributes:        attrs,
			MessageAttributes: map[string]events.SQSMessageAttribute{},
			EventSource:       "aws:sqs",
			EventSourceARN:    queueARN,
			AWSRegion:         "us-east-1",
		}
	}
	return events.SQSEvent{Records: recs}
}

// sqsPayload is sqsEvent as the raw bytes Lambda sends.
func sqsPayload(n, bodySize int, queueARN string) []byte {
	return mustJSON(sqsEvent(n, bodySize, queueARN))
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
