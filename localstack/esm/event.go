package esm

import (
	"encoding/json"

	awsarn "github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// eventSourceSQS is the eventSource Lambda writes into every SQS record.
const eventSourceSQS = "aws:sqs"

// NewSQSEvent builds the event Lambda's SQS event-source mapping would deliver for msgs, received from the queue
// whose ARN is queueARN. Records keep the order of msgs, which for a FIFO queue is the order within each message
// group. The record's awsRegion is the region field of queueARN.
//
// msgs should come from a ReceiveMessage call that asked for all system attributes and all message attributes, as
// the mapping does: NewSQSEvent copies what it is given and invents nothing, so a missing ApproximateReceiveCount
// stays missing.
func NewSQSEvent(queueARN string, msgs []types.Message) events.SQSEvent {
	var region string
	if a, err := awsarn.Parse(queueARN); err == nil {
		region = a.Region
	}
	records := make([]events.SQSMessage, 0, len(msgs))
	for _, m := range msgs {
		r := events.SQSMessage{
			MessageId:              aws.ToString(m.MessageId),
			ReceiptHandle:          aws.ToString(m.ReceiptHandle),
			Body:                   aws.ToString(m.Body),
			Md5OfBody:              aws.ToString(m.MD5OfBody),
			Md5OfMessageAttributes: aws.ToString(m.MD5OfMessageAttributes),
			Attributes:             make(map[string]string, len(m.Attributes)),
			MessageAttributes:      make(map[string]events.SQSMessageAttribute, len(m.MessageAttributes)),
			EventSourceARN:         queueARN,
			EventSource:            eventSourceSQS,
			AWSRegion:              region,
		}
		for k, v := range m.Attributes {
			r.Attributes[k] = v
		}
		for k, v := range m.MessageAttributes {
			r.MessageAttributes[k] = events.SQSMessageAttribute{
				StringValue:      v.StringValue,
				BinaryValue:      v.BinaryValue,
				StringListValues: nonNil(v.StringListValues),
				BinaryListValues: nonNil(v.BinaryListValues),
				DataType:         aws.ToString(v.DataType),
			}
		}
		records = append(records, r)
	}
	return events.SQSEvent{Records: records}
}

// nonNil returns s, or an empty slice when s is nil, because Lambda writes empty lists as [] and never as null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// wireSQSMessage is one record as Lambda serialises it. [events.SQSMessage] marshals an absent
// md5OfMessageAttributes as "" and absent list values as null; Lambda omits the former and writes [] for the
// latter, and handlers written in other languages (or strict decoders) can tell the difference. The field order is
// the one Lambda uses.
type wireSQSMessage struct {
	MessageID              string                      `json:"messageId"`
	ReceiptHandle          string                      `json:"receiptHandle"`
	Body                   string                      `json:"body"`
	Attributes             map[string]string           `json:"attributes"`
	MessageAttributes      map[string]wireSQSAttribute `json:"messageAttributes"`
	Md5OfMessageAttributes string                      `json:"md5OfMessageAttributes,omitempty"`
	Md5OfBody              string                      `json:"md5OfBody"`
	EventSource            string                      `json:"eventSource"`
	EventSourceARN         string                      `json:"eventSourceARN"`
	AWSRegion              string                      `json:"awsRegion"`
}

type wireSQSAttribute struct {
	StringValue      *string  `json:"stringValue,omitempty"`
	BinaryValue      []byte   `json:"binaryValue,omitempty"`
	StringListValues []string `json:"stringListValues"`
	BinaryListValues [][]byte `json:"binaryListValues"`
	DataType         string   `json:"dataType"`
}

// marshalSQSEvent encodes ev the way Lambda does (see [wireSQSMessage]).
func marshalSQSEvent(ev events.SQSEvent) ([]byte, error) {
	type wireEvent struct {
		Records []wireSQSMessage `json:"Records"`
	}
	w := wireEvent{Records: make([]wireSQSMessage, 0, len(ev.Records))}
	for _, r := range ev.Records {
		attrs := r.Attributes
		if attrs == nil {
			attrs = map[string]string{}
		}
		mattrs := make(map[string]wireSQSAttribute, len(r.MessageAttributes))
		for k, v := range r.MessageAttributes {
			mattrs[k] = wireSQSAttribute{
				StringValue:      v.StringValue,
				BinaryValue:      v.BinaryValue,
				StringListValues: nonNil(v.StringListValues),
				BinaryListValues: nonNil(v.BinaryListValues),
				DataType:         v.DataType,
			}
		}
		w.Records = append(w.Records, wireSQSMessage{
			MessageID:              r.MessageId,
			ReceiptHandle:          r.ReceiptHandle,
			Body:                   r.Body,
			Attributes:             attrs,
			MessageAttributes:      mattrs,
			Md5OfMessageAttributes: r.Md5OfMessageAttributes,
			Md5OfBody:              r.Md5OfBody,
			EventSource:            r.EventSource,
			EventSourceARN:         r.EventSourceARN,
			AWSRegion:              r.AWSRegion,
		})
	}
	return json.Marshal(w)
}
