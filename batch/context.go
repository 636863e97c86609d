package batch

import (
	"context"
	"time"
)

// Record describes one record of a batch: what its handler finds with
// [RecordFromContext] and what a hook receives in its [Outcome].
type Record struct {
	// Index is the record's position in the batch.
	Index int
	// BatchSize is the number of records in the batch.
	BatchSize int
	// ID is the identifier reported in batchItemFailures: the SQS messageId,
	// or the Kinesis or DynamoDB Streams sequence number.
	ID string
	// Group is the record's ordering key: the FIFO MessageGroupId, the Kinesis
	// partition key; "" otherwise.
	Group string
	// EventSource is "aws:sqs", "aws:kinesis" or "aws:dynamodb".
	EventSource string
	// EventSourceARN is the queue or stream ARN.
	EventSourceARN string
	// FIFO reports whether the batch is processed with FIFO rules.
	FIFO bool
}

// Outcome is what became of one record.
type Outcome struct {
	Record Record
	// Err is nil when the record succeeded. Otherwise it is the handler's
	// error, a *[handler.PanicError], or wraps [ErrSkipped] or [ErrDeadline] for a
	// record that did not run to the end.
	Err error
	// Duration is how long the handler ran; zero for a record that never
	// started.
	Duration time.Duration
}

type recordKey struct{}

// recordCtx is a record handler's context: its parent plus the record's
// metadata. The batch allocates them in one slice, instead of one
// context.WithValue per record; cancellation and deadlines are the parent's,
// and context.WithCancel on it finds the parent's cancelCtx through Value, so
// deriving from it costs no extra goroutine.
type recordCtx struct {
	context.Context
	rec *Record
}

func (c *recordCtx) Value(key any) any {
	if _, ok := key.(recordKey); ok {
		return c.rec
	}
	return c.Context.Value(key)
}

// RecordFromContext returns the metadata of the record whose handler ctx
// belongs to, and false outside a record handler.
func RecordFromContext(ctx context.Context) (Record, bool) {
	r, ok := ctx.Value(recordKey{}).(*Record)
	if !ok {
		return Record{}, false
	}
	return *r, true
}
