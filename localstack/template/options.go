package template

import (
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
)

// Option configures [Template.Deploy], [Template.Plan] and [DeployInTest].
type Option func(*options)

type options struct {
	prefix   string
	params   map[string]string
	only     []string
	skip     bool
	handlers map[string]func(aws.Config, func(string) string) (lambda.Handler, error)
	logger   *slog.Logger
}

// WithPrefix sets the stack name: AWS::StackName, and the start of every
// physical name, so deployments sharing one emulator do not collide. The
// default is "lk-" and a random suffix; [DeployInTest]'s is
// [fixture.Name] of the test, shortened.
func WithPrefix(stackName string) Option { return func(o *options) { o.prefix = stackName } }

// WithParameter overrides the Default of the template parameter name. The
// value is checked against the parameter's AllowedValues, AllowedPattern
// and bounds, as CloudFormation does.
func WithParameter(name, value string) Option {
	return func(o *options) {
		if o.params == nil {
			o.params = map[string]string{}
		}
		o.params[name] = value
	}
}

// WithResources deploys only the resources with these logical IDs and
// those they refer to (Ref, Fn::GetAtt, Fn::Sub, DependsOn) in the
// properties the test bed applies. Outputs that refer to resources left
// out are left out too, and logged. The default is the whole template.
func WithResources(logicalIDs ...string) Option {
	return func(o *options) { o.only = append(o.only, logicalIDs...) }
}

// WithSkipUnsupported deploys what it can of a template that has resources
// or event sources the test bed does not deploy, instead of failing with
// an [*UnsupportedError]. Each skip is logged and listed in
// [Stack.Skipped]; a deployed resource that refers to a skipped one still
// fails with [ErrUnresolved].
func WithSkipUnsupported() Option { return func(o *options) { o.skip = true } }

// WithHandler binds the AWS::Serverless::Function logicalID to a Go handler
// run in this process, instead of building its CodeUri. newHandler is
// called once per deployment, as a main package's init runs once per cold
// start, with the target's aws.Config and a getenv that returns the
// function's Environment.Variables, resolved to this deployment's
// resources, and the variables Lambda sets (AWS_REGION,
// AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_MEMORY_SIZE, ...), plus
// AWS_ENDPOINT_URL. The process environment is never changed, so parallel
// deployments each see their own.
func WithHandler(logicalID string, newHandler func(cfg aws.Config, getenv func(string) string) (lambda.Handler, error)) Option {
	return func(o *options) {
		if o.handlers == nil {
			o.handlers = map[string]func(aws.Config, func(string) string) (lambda.Handler, error){}
		}
		o.handlers[logicalID] = newHandler
	}
}

// WithLogger sets where skips, properties that are not applied and the
// event-source mappings' and built functions' logs go. Default
// slog.Default.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }
