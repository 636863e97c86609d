package batch_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/lambdakit/lambdakit/batch"
)

func sqsEvent(queueARN string, bodies ...string) *events.SQSEvent {
	ev := &events.SQSEvent{Records: []events.SQSMessage{}}
	for i, b := range bodies {
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId:      fmt.Sprintf("m%d", i+1),
			Body:           b,
			EventSource:    "aws:sqs",
			EventSourceARN: queueARN,
			Attributes:     map[string]string{"MessageGroupId": "g" + b[:1]},
		})
	}
	return ev
}

// A standard queue: records are independent, only the failed ones come back.
func ExampleProcessSQS() {
	ev := sqsEvent("arn:aws:sqs:eu-west-1:123456789012:orders", "ok", "bad", "ok", "bad")
	resp, err := batch.ProcessSQS(context.Background(), ev, func(ctx context.Context, msg events.SQSMessage) error {
		if msg.Body == "bad" {
			return errors.New("cannot ship")
		}
		return nil
	}, batch.WithConcurrency(4))
	fmt.Println(resp, err)
	// Output: {[{m2} {m4}]} <nil>
}

// A FIFO queue: the first failure stops the batch; it and every later record
// are reported, so the queue delivers them again in order.
func ExampleProcessSQS_fifo() {
	ev := sqsEvent("arn:aws:sqs:eu-west-1:123456789012:orders.fifo", "a1", "b1", "a2", "b2")
	resp, _ := batch.ProcessSQS(context.Background(), ev, func(ctx context.Context, msg events.SQSMessage) error {
		fmt.Println("handled", msg.Body)
		if msg.Body == "b1" {
			return errors.New("cannot ship")
		}
		return nil
	})
	fmt.Println(resp)
	// Output:
	// handled a1
	// handled b1
	// {[{m2} {m3} {m4}]}
}

// With WithSkipGroupOnFailure a failure stops only its message group.
func ExampleWithSkipGroupOnFailure() {
	ev := sqsEvent("arn:aws:sqs:eu-west-1:123456789012:orders.fifo", "a1", "b1", "a2", "b2")
	resp, _ := batch.ProcessSQS(context.Background(), ev, func(ctx context.Context, msg events.SQSMessage) error {
		if msg.Body == "b1" {
			return errors.New("cannot ship")
		}
		return nil
	}, batch.WithSkipGroupOnFailure())
	fmt.Println(resp)
	// Output: {[{m2} {m4}]}
}

type order struct {
	ID  string `json:"id"`
	Qty int    `json:"qty"`
}

// A handler for the raw event with typed JSON bodies: this is what
// handler.Start runs.
func ExampleSQSJSON() {
	h := batch.SQSJSON(func(ctx context.Context, o order, msg events.SQSMessage) error {
		r, _ := batch.RecordFromContext(ctx)
		fmt.Printf("record %d of %d: order %s x%d\n", r.Index+1, r.BatchSize, o.ID, o.Qty)
		if o.Qty == 0 {
			return errors.New("empty order")
		}
		return nil
	})
	payload := `{"Records":[
		{"messageId":"m1","body":"{\"id\":\"o-1\",\"qty\":2}","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:eu-west-1:123456789012:orders"},
		{"messageId":"m2","body":"{\"id\":\"o-2\",\"qty\":0}","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:eu-west-1:123456789012:orders"}]}`
	resp, err := h.Invoke(context.Background(), []byte(payload))
	fmt.Println(string(resp), err)
	// Output:
	// record 1 of 2: order o-1 x2
	// record 2 of 2: order o-2 x0
	// {"batchItemFailures":[{"itemIdentifier":"m2"}]} <nil>
}

// Kinesis: the first failure stops the batch; the mapping resumes from the
// lowest reported sequence number.
func ExampleProcessKinesis() {
	ev := &events.KinesisEvent{Records: []events.KinesisEventRecord{
		{EventSource: "aws:kinesis", Kinesis: events.KinesisRecord{SequenceNumber: "101", Data: []byte("ok")}},
		{EventSource: "aws:kinesis", Kinesis: events.KinesisRecord{SequenceNumber: "102", Data: []byte("bad")}},
		{EventSource: "aws:kinesis", Kinesis: events.KinesisRecord{SequenceNumber: "103", Data: []byte("ok")}},
	}}
	resp, err := batch.ProcessKinesis(context.Background(), ev, func(ctx context.Context, r events.KinesisEventRecord) error {
		if string(r.Kinesis.Data) == "bad" {
			return errors.New("bad record")
		}
		return nil
	})
	fmt.Println(resp, err)
	// Output: {[{102} {103}]} <nil>
}
