// Package esm is a local SQS event-source mapping: it polls a queue and
// invokes a Go [github.com/aws/aws-lambda-go/lambda.Handler] with batches of
// its messages, applying the answer the way Lambda's mapping does
// (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html): the event as
// Lambda serialises it, batch size and batching window, maximum concurrency,
// the function timeout as each invocation's deadline, ReportBatchItemFailures
// with Lambda's rules for a malformed response, and deletes of only what
// succeeded. The dead-letter queue is the source queue's own redrive policy.
//
// It works against any SQS endpoint: the embedded emulator, a LocalStack, or
// AWS. In a test:
//
//	m, err := esm.New(sqs.NewFromConfig(cfg), q.URL, batch.SQS(handle),
//		esm.WithReportBatchItemFailures(true), esm.WithTimeout(5*time.Second))
//	if err != nil {
//		t.Fatal(err)
//	}
//	esm.RunInTest(t, m) // stops, drains and settles when the test ends
//
// A FIFO queue is recognised by its FifoQueue attribute. Each ReceiveMessage
// is bounded by its long-poll wait plus a margin, so a stuck endpoint is
// logged rather than stalling the mapping.
package esm
