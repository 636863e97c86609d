package callback

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"github.com/lambdakit/lambdakit/batch"
	"github.com/lambdakit/lambdakit/handler"
)

// SQSWorker returns a record handler for [batch.SQS] (or [batch.ProcessSQS]),
// for messages a sqs:sendMessage.waitForTaskToken task sent: it finds the
// token in the message body (a JSON object) or its attributes, decodes the
// body, or the field of [WithInputField], into In, calls fn, and answers the
// task as [Run] does.
//
//	handler.Start(batch.SQS(callback.SQSWorker(sfnClient, resize), batchOpts...))
//
// The record succeeds, so the message is deleted, once Step Functions has
// been told the outcome, failure included, or the task is already closed: a
// redelivered message whose token was answered ends cleanly instead of
// cycling until the dead-letter queue. The record fails, so the message is
// redelivered, only when the answer could not be delivered ([*DeliveryError]),
// and the work then runs again: make it idempotent. A message without a
// token fails with [*MissingTokenError] on every delivery and so ends in the
// queue's dead-letter queue after its maxReceiveCount.
func SQSWorker[In, Out any](api API, fn handler.Func[In, Out], opts ...Option) batch.RecordHandler[events.SQSMessage] {
	o := newOptions(opts)
	dec := newInputDecoder[In](o.inputPath)
	return func(ctx context.Context, msg events.SQSMessage) error {
		body := []byte(msg.Body)
		token, reason := findToken(body, o.tokenPaths)
		if token == "" {
			token = findAttrToken(&msg, o.tokenAttrs)
		}
		if token == "" {
			return noToken(ctx, &o, &MissingTokenError{Looked: o.looked(true), Reason: reason},
				slog.String("message_id", msg.MessageId))
		}
		err := run(ctx, api, &o, token, func(ctx context.Context) ([]byte, error) {
			return work(ctx, dec, fn, body)
		})
		return deliveryFailure(err)
	}
}
