package batch

import (
	"errors"
	"fmt"
)

var (
	// ErrSkipped is the outcome of a record that was not processed because an
	// earlier record in its ordering failed: any later record of a FIFO batch
	// (or, with [WithSkipGroupOnFailure], of its message group), or any later
	// record of a Kinesis or DynamoDB Streams batch. It is reported as failed so
	// the mapping delivers it again, in order.
	ErrSkipped = errors.New("batch: record skipped after an earlier failure in its order")
	// ErrDeadline is the outcome of a record that had not finished when the
	// remaining invocation time fell under the deadline margin (or the
	// invocation's context was cancelled): never started, or abandoned while
	// its handler ignored the cancelled context. It is reported as failed so the
	// mapping delivers it again instead of the whole batch timing out.
	ErrDeadline = errors.New("batch: record not finished before the deadline margin")
)

// EventError reports an event that is not of the kind the handler expects:
// no Records key, a record from another event source, or a record without the
// identifier the mapping needs to retry it. Nothing is processed: the whole
// invocation fails, because a partial answer could not name the records.
type EventError struct {
	// Want is the expected event source ("aws:sqs", "aws:kinesis",
	// "aws:dynamodb").
	Want string
	// Index is the offending record's position, or -1 for the event itself.
	Index int
	// Reason says what is wrong.
	Reason string
}

func (e *EventError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("batch: not an %s event: %s", e.Want, e.Reason)
	}
	return fmt.Sprintf("batch: not an %s event: record %d: %s", e.Want, e.Index, e.Reason)
}

// AllFailedError is returned, under the default [ReturnError] policy, when
// every record of a non-empty batch failed. The Lambda runtime reports it as
// "AllFailedError".
type AllFailedError struct {
	// Records is the number of records in the batch.
	Records int
	// First is the outcome error of the first record.
	First error
}

func (e *AllFailedError) Error() string {
	return fmt.Sprintf("batch: all %d records failed; first: %v", e.Records, e.First)
}

// Unwrap returns the first record's error.
func (e *AllFailedError) Unwrap() error { return e.First }
