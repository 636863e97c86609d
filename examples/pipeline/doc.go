// Package pipeline is the SQS half of the users' write-up on multi-Lambda
// workflows: a function fed by an SQS queue through an event-source mapping
// with ReportBatchItemFailures. [Ingest] processes each record of a batch on
// its own (batch.SQSJSON), so one bad record fails alone: the mapping deletes
// the records that succeeded and only the failed ones are received again. A
// record that failed for a passing reason succeeds on a later receive; a
// poison message (a body that is not an event, an event of an unknown type)
// fails every time and is moved to the dead-letter queue by the queue's
// redrive policy after maxReceiveCount receives.
//
// [Stack] describes the example's resources as template.yaml declares them.
package pipeline
