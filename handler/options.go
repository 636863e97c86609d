package handler

import (
	"log/slog"
	"time"
)

// Option configures the built-in middleware; [Defaults] takes them all, and
// each middleware constructor reads the ones that concern it.
type Option func(*options)

type options struct {
	logger        *slog.Logger
	successLevel  slog.Level
	margin        time.Duration
	defaultBudget time.Duration
	tracer        Tracer
}

// DefaultBudget is the time an invocation gets when its context has no real
// deadline (a local run): Lambda's maximum timeout.
const DefaultBudget = 15 * time.Minute

// DefaultMargin is the deadline margin [Defaults] uses when no WithMargin is given.
const DefaultMargin = 500 * time.Millisecond

func newOptions(opts []Option) options {
	o := options{successLevel: slog.LevelDebug, margin: DefaultMargin, defaultBudget: DefaultBudget}
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	return o
}

// WithLogger sets the logger of [Logging]. The default is slog.Default().
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithSuccessLevel sets the level at which [Logging] records an invocation
// that succeeded; failures are always logged at slog.LevelError. The default
// is slog.LevelDebug, so a busy function logs nothing per success unless asked.
func WithSuccessLevel(l slog.Level) Option { return func(o *options) { o.successLevel = l } }

// WithMargin sets the deadline margin of [Defaults]. The default is [DefaultMargin].
func WithMargin(d time.Duration) Option { return func(o *options) { o.margin = d } }

// WithDefaultBudget sets the time an invocation gets when its context has no
// real deadline. The default is [DefaultBudget].
func WithDefaultBudget(d time.Duration) Option { return func(o *options) { o.defaultBudget = d } }

// WithTracer adds the [Tracing] middleware to [Defaults]. There is none by default.
func WithTracer(t Tracer) Option { return func(o *options) { o.tracer = t } }

// Defaults returns the built-in middleware in the order that makes them work
// together: [ColdStart], [Tracing] (with WithTracer), [Logging], [Recover],
// then [DeadlineMargin]. A panic is thus logged and traced as a PanicError,
// and the time spent outside the margin is still logged.
func Defaults(opts ...Option) []Middleware {
	o := newOptions(opts)
	mws := []Middleware{ColdStart()}
	if o.tracer != nil {
		mws = append(mws, Tracing(o.tracer))
	}
	return append(mws,
		Logging(WithLogger(o.logger), WithSuccessLevel(o.successLevel)),
		Recover(),
		DeadlineMargin(o.margin, WithDefaultBudget(o.defaultBudget)),
	)
}
