package callback

import (
	"log/slog"
	"strings"
	"time"
)

// Option configures [Run], [Handler] and [SQSWorker].
type Option func(*options)

type options struct {
	tokenPaths    [][]string // JSON paths in the payload or message body
	tokenAttrs    []string   // SQS message attribute names
	inputPath     []string   // nil: the whole payload is the input
	heartbeat     time.Duration
	answerTimeout time.Duration
	logger        *slog.Logger
}

// defaultTokenFields are the payload fields searched for the task token, in
// this order, when neither [WithTokenField] nor [WithTokenAttribute] is
// given; an SQS worker then also searches message attributes of these names.
// A bare "token" is deliberately not among them: payloads often carry
// unrelated tokens (auth, pagination), and answering with one would fail as
// InvalidToken and leave the real task waiting.
var defaultTokenFields = []string{"TaskToken", "taskToken", "task_token"}

// defaultAnswerTimeout bounds the final SendTaskSuccess or SendTaskFailure,
// including the client's retries; see [WithAnswerTimeout].
const defaultAnswerTimeout = 10 * time.Second

func newOptions(opts []Option) options {
	o := options{answerTimeout: defaultAnswerTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	if len(o.tokenPaths) == 0 && len(o.tokenAttrs) == 0 {
		for _, f := range defaultTokenFields {
			o.tokenPaths = append(o.tokenPaths, []string{f})
		}
		o.tokenAttrs = defaultTokenFields
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	return o
}

// WithTokenField looks for the task token at a field of the JSON payload (or
// SQS message body): one name for a top-level field, several for a path into
// nested objects, WithTokenField("meta", "taskToken") for
// {"meta":{"taskToken":…}}. Repeat it to try several places in order. It
// replaces the default search (TaskToken, taskToken, task_token).
func WithTokenField(path ...string) Option {
	return func(o *options) {
		if len(path) > 0 {
			o.tokenPaths = append(o.tokenPaths, append([]string(nil), path...))
		}
	}
}

// WithTokenAttribute looks for the task token in the SQS message attribute
// name (a String attribute), after any [WithTokenField] places. It replaces
// the default search. Only [SQSWorker] reads attributes.
func WithTokenAttribute(name string) Option {
	return func(o *options) { o.tokenAttrs = append(o.tokenAttrs, name) }
}

// WithInputField makes the value at path (as in [WithTokenField]) the typed
// input, for payloads shaped like {"TaskToken":…,"input":{…}}. By default
// the whole payload is decoded into the input type, which ignores the token
// field unless the type has one.
func WithInputField(path ...string) Option {
	return func(o *options) { o.inputPath = append([]string(nil), path...) }
}

// WithHeartbeat sends SendTaskHeartbeat every interval while the work runs,
// for tasks with HeartbeatSeconds; pick an interval well under it. The first
// heartbeat goes out before the work starts, which also stops a redelivered
// message whose task is already closed before any work is done. Heartbeats
// stop before the final answer. When a heartbeat finds the task closed
// (TaskTimedOut, TaskDoesNotExist) the work's context is cancelled, with a
// [*DeliveryError] as its cause, and no further call is made. InvalidToken
// stops the heartbeats but not the work, since it does not prove the task
// closed; the final answer decides. Other heartbeat failures are logged and
// the next tick tries again. The default is no heartbeats.
func WithHeartbeat(interval time.Duration) Option {
	return func(o *options) { o.heartbeat = interval }
}

// WithAnswerTimeout bounds the final SendTaskSuccess or SendTaskFailure,
// retries included. The answer is sent on a context that keeps the
// invocation's values but not its cancellation, because an answer matters
// most when the work ran out of time. The default is 10s.
func WithAnswerTimeout(d time.Duration) Option {
	return func(o *options) { o.answerTimeout = d }
}

// WithLogger sets the logger for outcomes worth a line: a failure answered
// (Info), a task already gone (Warn), an answer not delivered or a message
// without a token (Error). Successes are logged at Debug. Tokens appear only
// as a short hash. The default is slog.Default().
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

func (o *options) looked(sqs bool) []string {
	var s []string
	for _, p := range o.tokenPaths {
		s = append(s, strings.Join(p, "."))
	}
	if sqs {
		for _, a := range o.tokenAttrs {
			s = append(s, "attribute "+a)
		}
	}
	if len(s) == 0 { // only attributes configured, and no attributes here
		s = append(s, "no payload field (only message attributes are configured)")
	}
	return s
}
