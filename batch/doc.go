// Package batch processes the records of an SQS, Kinesis or DynamoDB Streams
// batch one by one and answers with the records that failed, so that one bad
// message never fails a whole batch and none is ever lost.
//
// A record handler handles one record; returning an error or panicking fails
// that record only:
//
//	h := batch.SQSJSON(func(ctx context.Context, o Order, msg events.SQSMessage) error {
//		return ship(ctx, o)
//	}, batch.WithConcurrency(10))
//	handler.Start(handler.Chain(h, handler.Defaults()...))
//
// [SQS], [SQSJSON], [Kinesis] and [DynamoDB] return a [handler.HandlerFunc]
// that owns the decoding of the raw event and composes with the handler
// middleware; [ProcessSQS], [ProcessKinesis] and [ProcessDynamoDB] do the same
// on an event already decoded and return aws-lambda-go's response types.
//
// # The event-source mapping must report batch item failures
//
// The response lists failed records in batchItemFailures. Lambda reads it only
// when the event-source mapping has FunctionResponseTypes set to
// ReportBatchItemFailures; without it the response is ignored, the whole
// batch counts as processed and the failed messages are deleted. In SAM:
//
//	Events:
//	  Orders:
//	    Type: SQS
//	    Properties:
//	      Queue: !GetAtt OrdersQueue.Arn
//	      FunctionResponseTypes: [ReportBatchItemFailures]
//
// # Rules
//
// Standard SQS queues: records are independent and run on a pool of at most
// [WithConcurrency] goroutines (default 1); each failed record is reported.
//
// FIFO queues (the eventSourceARN ends in ".fifo", or [WithFIFO]): records
// run one at a time in order; the first failure stops the batch and it and
// every later record are reported (outcome [ErrSkipped] for the ones not
// run), so the queue delivers them again in order. With
// [WithSkipGroupOnFailure] only the failed record's message group stops; the
// other groups go on, each in order, up to [WithConcurrency] groups at once.
//
// Kinesis and DynamoDB Streams: records run one at a time in shard order and
// the first failure stops the batch; it and every later record are reported.
// The mapping checkpoints at the lowest reported sequence number, so the next
// batch starts again at the failed record whatever this invocation did with
// the later ones: running them now would only process them twice. A record
// that keeps failing holds up its shard until the mapping's retry limit or
// record age sends the batch to the on-failure destination, so set
// MaximumRetryAttempts, and consider BisectBatchOnFunctionError.
//
// Deadline: when the invocation's remaining time falls under
// [WithDeadlineMargin] (default [DefaultDeadlineMargin]), no further record
// starts, records in flight see their context cancelled, and every record not
// finished shortly after is reported with [ErrDeadline]. The invocation
// answers in time with what it finished, instead of timing out and failing
// the whole batch.
//
// All failed: when every record of a non-empty batch failed the invocation
// returns an [*AllFailedError] by default ([WithAllFailed]); the mapping
// retries the batch either way, but the error shows in metrics and alarms.
//
// The response is always one the mapping accepts: only identifiers of the
// batch, none empty, each at most once. An event that is not of the expected
// kind (no Records, a record from another source, a record without an
// identifier) fails the invocation with an [*EventError] before any record
// runs; an empty Records list is a successful empty batch.
//
// Each record handler's context carries the record's [Record] metadata
// ([RecordFromContext]); [WithHook] sees every record's [Outcome]; the span
// started by [handler.Tracing] gets the annotations batch.records and
// batch.failed.
//
// # Performance
//
// Decoding dominates a batch invocation. The SQS event is decoded by a
// single-pass decoder specialised to the shape Lambda sends, which falls back
// to encoding/json for anything else, so it gives exactly encoding/json's
// result (a differential fuzz test holds it to that). Records run on a
// bounded pool, never one goroutine per record.
//
// See https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
// and https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html.
package batch
