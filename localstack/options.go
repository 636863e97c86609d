package localstack

import (
	"io"
	"os"
	"time"
)

// Option configures [Config], [Start] and [Main].
type Option func(*options)

type options struct {
	endpoint     string
	region       string
	python       string
	startTimeout time.Duration
	waitScale    float64
	logOutput    io.Writer
}

// Defaults, documented on the options that change them.
const (
	defaultEndpoint     = "http://localhost:4566"
	defaultRegion       = "us-east-1"
	defaultStartTimeout = 60 * time.Second
	defaultWaitScale    = 0.01
)

// defaultServices are the services lambdakit uses; WaitReady checks them on a
// real LocalStack when no other list is given.
var defaultServices = []string{"sqs", "dynamodb", "stepfunctions", "lambda"}

// WithEndpoint sets the emulator endpoint, overriding AWS_ENDPOINT_URL and
// LOCALSTACK_HOST. With [Start] it attaches to that endpoint instead of
// launching moto.
func WithEndpoint(url string) Option { return func(o *options) { o.endpoint = url } }

// WithRegion sets the region; the default is AWS_REGION, else
// AWS_DEFAULT_REGION, else us-east-1.
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithStartTimeout bounds how long [Start] waits for the emulator to serve;
// the default is 60s (importing moto takes a few seconds on a loaded machine).
func WithStartTimeout(d time.Duration) Option { return func(o *options) { o.startTimeout = d } }

// WithWaitScale sets the factor the embedded emulator applies to Wait state
// durations and Retry intervals. The default 0.01 turns a 10s Wait into 0.1s;
// 1 keeps real time, 0 removes waiting. It has no effect on an attached
// LocalStack, so tests must not depend on the scaled timing.
func WithWaitScale(f float64) Option { return func(o *options) { o.waitScale = f } }

// WithLogOutput sends the embedded emulator's log (moto's stderr) to w; by
// default it is discarded except for the tail quoted in a [StartError].
func WithLogOutput(w io.Writer) Option { return func(o *options) { o.logOutput = w } }

func newOptions(opts []Option) options {
	o := options{
		startTimeout: defaultStartTimeout,
		waitScale:    defaultWaitScale,
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.region == "" {
		o.region = firstEnv("AWS_REGION", "AWS_DEFAULT_REGION")
	}
	if o.region == "" {
		o.region = defaultRegion
	}
	// The interpreter is the one scripts/ensure-moto.sh checks: a test bed
	// setting, not an option, because it belongs to the machine, not the test.
	o.python = firstEnv("LAMBDAKIT_PYTHON")
	if o.python == "" {
		o.python = "python3"
	}
	return o
}

// envEndpoint resolves the endpoint from the environment the way the AWS
// tooling and LocalStack's own clients do; ok is false when neither variable
// is set, which is what makes [Start] launch the embedded emulator.
func envEndpoint() (endpoint string, ok bool) {
	if v := os.Getenv("AWS_ENDPOINT_URL"); v != "" {
		return v, true
	}
	if v := os.Getenv("LOCALSTACK_HOST"); v != "" {
		return "http://" + v, true
	}
	return "", false
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}
