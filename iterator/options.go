package iterator

import (
	"log/slog"
	"time"

	"github.com/lambdakit/lambdakit/handler"
)

// Option configures an [Iterator].
type Option func(*options)

type options struct {
	margin        time.Duration
	budget        time.Duration
	leaseSlack    time.Duration
	continueAfter int64
	maxSteps      int64
	result        any // func(S) any, checked against S in New
	logger        *slog.Logger
	now           func() time.Time
}

// DefaultMargin is the time [WithMargin] reserves by default for saving the
// checkpoint and answering: far more than a DynamoDB write takes, and still
// under 0.2% of a 15-minute invocation.
const DefaultMargin = time.Second

// DefaultContinueAfter is the number of invocations after which the output
// asks for a new execution by default. A Choice loop round of a lambda:invoke
// Task and a Choice state writes about 7 history events, so 1,000 rounds stay
// far below the 25,000-event cap even with retries.
const DefaultContinueAfter = 1000

// defaultLeaseSlack covers clock skew between the invocation that holds a
// lease and the one that checks it.
const defaultLeaseSlack = 2 * time.Second

func newOptions(opts []Option) options {
	o := options{
		margin:        DefaultMargin,
		budget:        handler.DefaultBudget,
		leaseSlack:    defaultLeaseSlack,
		continueAfter: DefaultContinueAfter,
		now:           time.Now,
	}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	return o
}

// WithMargin sets the fixed safety margin: the time left at the deadline that
// the steps never use, kept for the checkpoint write and the response. The
// stopping rule adds the learned step duration on top. The default is
// [DefaultMargin]; the classic rule "stop with 60 s left" is WithMargin(time.Minute).
func WithMargin(d time.Duration) Option { return func(o *options) { o.margin = max(d, 0) } }

// WithBudget sets the invocation time used when the context has no real
// deadline (a local run, see handler.Deadline). The default is
// handler.DefaultBudget, Lambda's 15-minute maximum.
func WithBudget(d time.Duration) Option { return func(o *options) { o.budget = d } }

// WithContinueAfter sets after how many invocations in one execution the
// output's ContinueAsNew is true, so that the state machine starts a new
// execution before the 25,000-event history cap. n <= 0 never asks. The
// default is [DefaultContinueAfter].
func WithContinueAfter(n int) Option { return func(o *options) { o.continueAfter = int64(n) } }

// WithMaxSteps caps the steps of one invocation, so that the checkpoint is
// saved at least every n steps, for example to bound the work redone after a
// crash. n <= 0, the default, leaves only the stopping rule.
func WithMaxSteps(n int) Option { return func(o *options) { o.maxSteps = int64(n) } }

// WithLeaseSlack sets how long after an invocation's deadline its lease on
// the key still holds, to cover clock skew between machines. The default is
// 2 s. A crashed invocation thus blocks its key for at most this long after
// its deadline. The deadline is the context's, which a deadline middleware
// may set before Lambda's: keep the slack above that middleware's margin, or
// another invocation may take the key while this one still saves (its save
// then fails with a conflict and its work is discarded, so this costs work,
// never correctness).
func WithLeaseSlack(d time.Duration) Option { return func(o *options) { o.leaseSlack = max(d, 0) } }

// WithResult adds fn(state) to the output as its Result field, for the state
// machine to read (for example a count or the location of a report). S must
// be the iterator's state type: [New] panics otherwise, at construction.
// fn is called with the saved state, also when a completed key is invoked
// again. The value must encode as JSON.
func WithResult[S any](fn func(state S) any) Option {
	return func(o *options) { o.result = fn }
}

// WithLogger sets the logger for the one line per invocation (key, steps,
// outcome) and for conflicts. The default is slog.Default().
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// withClock replaces time.Now for the stopping rule and the lease times, so
// that tests can drive the rule with a fake clock.
func withClock(now func() time.Time) Option { return func(o *options) { o.now = now } }
