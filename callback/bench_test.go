package callback

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/lambdakit/lambdakit/batch"
)

// nopSFN answers every call at once, so a benchmark measures only the cost
// of the code around the client.
type nopSFN struct{}

func (nopSFN) SendTaskSuccess(context.Context, *sfn.SendTaskSuccessInput, ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	return &sfn.SendTaskSuccessOutput{}, nil
}

func (nopSFN) SendTaskFailure(context.Context, *sfn.SendTaskFailureInput, ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error) {
	return &sfn.SendTaskFailureOutput{}, nil
}

func (nopSFN) SendTaskHeartbeat(context.Context, *sfn.SendTaskHeartbeatInput, ...func(*sfn.Options)) (*sfn.SendTaskHeartbeatOutput, error) {
	return &sfn.SendTaskHeartbeatOutput{}, nil
}

// benchMessage is an SQS message as sqs:sendMessage.waitForTaskToken sends
// it, with a token of the length Step Functions issues (several hundred
// characters).
func benchMessage() events.SQSMessage {
	token := "AQCEAAAAKgAAAAMAAAAAAAAAA" + strings.Repeat("k9Zq3F0xW2", 65)
	return events.SQSMessage{
		MessageId: "m-1",
		Body:      `{"TaskToken":"` + token + `","image":"cat.png","width":64}`,
	}
}

// BenchmarkSQSMessage compares the per-message cost of SQSWorker with a
// hand-written loop body doing the same job (decode the body, run the work,
// encode the output, SendTaskSuccess) through the same no-op client.
func BenchmarkSQSMessage(b *testing.B) {
	ctx := context.Background()
	msg := benchMessage()
	api := nopSFN{}

	b.Run("handwritten", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var in struct {
				TaskToken string `json:"TaskToken"`
				resizeIn
			}
			if err := json.Unmarshal([]byte(msg.Body), &in); err != nil {
				b.Fatal(err)
			}
			out, err := resize(ctx, in.resizeIn)
			if err != nil {
				b.Fatal(err)
			}
			o, err := json.Marshal(out)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := api.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(in.TaskToken), Output: aws.String(string(o))}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SQSWorker", func(b *testing.B) {
		rh := SQSWorker(api, resize, WithLogger(discard()))
		b.ReportAllocs()
		for b.Loop() {
			if err := rh(ctx, msg); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SQSWorker+heartbeat", func(b *testing.B) {
		// One heartbeat before the work and a ticker that never fires.
		rh := SQSWorker(api, resize, WithLogger(discard()), WithHeartbeat(time.Minute))
		b.ReportAllocs()
		for b.Loop() {
			if err := rh(ctx, msg); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSQSEvent measures the whole invocation for a batch of ten
// messages: batch.SQS with SQSWorker, against a hand-written handler that
// decodes the event with encoding/json, loops over the records and answers
// each task. ns/msg is the cost per message.
func BenchmarkSQSEvent(b *testing.B) {
	const n = 10
	ctx := context.Background()
	msg := benchMessage()
	ev := events.SQSEvent{}
	for i := range n {
		m := msg
		m.MessageId = "m-" + itoa(i)
		m.EventSource = "aws:sqs"
		ev.Records = append(ev.Records, m)
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		b.Fatal(err)
	}
	api := nopSFN{}
	perMsg := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/msg")
	}

	b.Run("handwritten", func(b *testing.B) {
		h := func(ctx context.Context, payload []byte) ([]byte, error) {
			var ev events.SQSEvent
			if err := json.Unmarshal(payload, &ev); err != nil {
				return nil, err
			}
			var resp events.SQSEventResponse
			for _, m := range ev.Records {
				var in struct {
					TaskToken string `json:"TaskToken"`
					resizeIn
				}
				err := json.Unmarshal([]byte(m.Body), &in)
				var out resizeOut
				if err == nil {
					out, err = resize(ctx, in.resizeIn)
				}
				var o []byte
				if err == nil {
					o, err = json.Marshal(out)
				}
				if err == nil {
					_, err = api.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(in.TaskToken), Output: aws.String(string(o))})
				}
				if err != nil {
					resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
				}
			}
			return json.Marshal(resp)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := h(ctx, payload); err != nil {
				b.Fatal(err)
			}
		}
		perMsg(b)
	})
	b.Run("batch.SQS+SQSWorker", func(b *testing.B) {
		h := batch.SQS(SQSWorker(api, resize, WithLogger(discard())), batch.WithLogger(discard()))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := h(ctx, payload); err != nil {
				b.Fatal(err)
			}
		}
		perMsg(b)
	})
}
