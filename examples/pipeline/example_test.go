package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/lambdakit/lambdakit/examples/pipeline"
)

// One batch with a good, a flaky and a poison record: the response names
// only the two that failed, so the mapping deletes the good one.
func ExampleHandler() {
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", EventSource: "aws:sqs", Body: `{"id":"e1","type":"order.created"}`, Attributes: map[string]string{"ApproximateReceiveCount": "1"}},
		{MessageId: "m2", EventSource: "aws:sqs", Body: `{"id":"e2","type":"order.created","flaky":true}`, Attributes: map[string]string{"ApproximateReceiveCount": "1"}},
		{MessageId: "m3", EventSource: "aws:sqs", Body: `not json`, Attributes: map[string]string{"ApproximateReceiveCount": "1"}},
	}}
	payload, _ := json.Marshal(ev)
	out, err := pipeline.Handler()(context.Background(), payload)
	fmt.Println(string(out), err)
	// Output: {"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m3"}]} <nil>
}
