package batch

import (
	"context"
	"log/slog"
	"time"
)

// DefaultDeadlineMargin is the deadline margin used without
// [WithDeadlineMargin]: enough to cancel the records in flight, wait for them
// briefly and write the response before Lambda's timeout.
const DefaultDeadlineMargin = 500 * time.Millisecond

// AllFailedPolicy decides what a batch whose every record failed returns. See
// [WithAllFailed].
type AllFailedPolicy int

const (
	// ReturnError makes the invocation fail with an [*AllFailedError]. This is
	// the default, as in Powertools: the mapping retries the whole batch either
	// way, but a function error shows in the Errors metric, in alarms and in
	// on-failure destinations, so a total outage (a dead dependency, a bad
	// deploy) is visible instead of looking like a healthy function.
	ReturnError AllFailedPolicy = iota
	// ReportAll answers with every record in batchItemFailures and no error:
	// the invocation counts as successful while every record is retried. Use it
	// when total failure is expected from time to time and must not page.
	ReportAll
)

// Option configures a batch handler.
type Option func(*options)

type options struct {
	concurrency int
	fifo        *bool
	skipGroup   bool
	margin      time.Duration
	allFailed   AllFailedPolicy
	hook        func(ctx context.Context, o Outcome)
	logger      *slog.Logger
}

func newOptions(opts []Option) options {
	o := options{concurrency: 1, margin: DefaultDeadlineMargin, logger: slog.Default()}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.concurrency < 1 {
		o.concurrency = 1
	}
	if o.margin < 0 {
		o.margin = 0
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	return o
}

// WithConcurrency sets how many records of a standard SQS batch run at once,
// on a pool of at most n goroutines (never one per record). Default 1: record
// handlers often share a downstream that cannot take a burst, and one at a
// time is what a hand-written loop does. With [WithSkipGroupOnFailure], n
// bounds how many FIFO message groups run at once, each still in order; a
// strict FIFO batch and Kinesis and DynamoDB Streams batches always run one
// record at a time, because their order spans the whole batch.
func WithConcurrency(n int) Option { return func(o *options) { o.concurrency = n } }

// WithFIFO overrides FIFO detection for SQS. Default: a batch is FIFO when its
// records' eventSourceARN ends in ".fifo".
func WithFIFO(fifo bool) Option { return func(o *options) { o.fifo = &fifo } }

// WithSkipGroupOnFailure makes a failure in a FIFO batch skip only the rest of
// the failed record's message group; the other groups go on, in order, and up
// to [WithConcurrency] groups at once. Default off: the first failure stops
// the whole batch, as the SQS documentation prescribes for FIFO queues.
func WithSkipGroupOnFailure() Option { return func(o *options) { o.skipGroup = true } }

// WithDeadlineMargin sets how much of the invocation's remaining time
// (see [handler.Remaining]) is kept for answering. When less than d is left,
// no further record starts, the context of records in flight is cancelled,
// they get up to d/2 to return, and every record not finished by then is
// reported failed with [ErrDeadline]. Default [DefaultDeadlineMargin]; 0 turns
// the early stop off (records are still cancelled at the deadline itself). It
// has no effect without a real deadline (local runs). Under
// handler.DeadlineMargin (part of handler.Defaults) the context's deadline is
// already that middleware's margin early, and the two margins add up.
func WithDeadlineMargin(d time.Duration) Option { return func(o *options) { o.margin = d } }

// WithAllFailed sets what a batch whose every record failed returns. Default
// [ReturnError].
func WithAllFailed(p AllFailedPolicy) Option { return func(o *options) { o.allFailed = p } }

// WithHook registers fn to be called once with each record's outcome, for
// metrics and logs: from the worker that ran the record, or, for records that
// never ran, from the invocation before it returns. With a concurrency above
// 1, fn must be safe for concurrent use.
func WithHook(fn func(ctx context.Context, o Outcome)) Option {
	return func(o *options) { o.hook = fn }
}

// WithLogger sets where failures are logged: one warning per batch with
// failures, an error with the stack for each panic, and each failed record at
// debug level. Default [slog.Default].
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }
