package localdeploy

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/lambdakit/lambdakit/examples/stack"
	"github.com/lambdakit/lambdakit/localstack"
	"github.com/lambdakit/lambdakit/localstack/esm"
	"github.com/lambdakit/lambdakit/localstack/fixture"
)

// Option configures [Deploy].
type Option func(*options)

type options struct {
	prefix     string
	root       string
	visibility time.Duration
	wrap       func(logicalID string, h lambda.Handler) lambda.Handler
	timeouts   map[string]time.Duration
}

// WithPrefix sets the prefix of every physical resource name, so that
// several deployments can share one emulator. The default is the spec's name.
func WithPrefix(p string) Option { return func(o *options) { o.prefix = p } }

// WithRoot sets the repository root that the spec's DefinitionURIs are
// relative to. The default is "..", right for a test in examples/<name>/.
func WithRoot(dir string) Option { return func(o *options) { o.root = dir } }

// WithVisibilityTimeout sets the visibility timeout of every queue, and so
// the upper bound of the timeout of every function behind one. The default
// is 2s; template.yaml uses six times the function timeout instead.
func WithVisibilityTimeout(d time.Duration) Option { return func(o *options) { o.visibility = d } }

// WithHandlerWrapper decorates each function's handler before it is
// registered, for example to observe invocations.
func WithHandlerWrapper(wrap func(logicalID string, h lambda.Handler) lambda.Handler) Option {
	return func(o *options) { o.wrap = wrap }
}

// WithFunctionTimeout overrides the timeout of the function with the logical
// ID. The demo uses it to give the iterator a few seconds per invocation
// instead of the template's minute, so that its loop is seen in seconds.
func WithFunctionTimeout(logicalID string, d time.Duration) Option {
	return func(o *options) {
		if o.timeouts == nil {
			o.timeouts = map[string]time.Duration{}
		}
		o.timeouts[logicalID] = d
	}
}

// Deployment is a spec deployed to the emulator. Its methods are safe for
// concurrent use.
type Deployment struct {
	Spec stack.Spec

	cfg         aws.Config
	values      map[stack.Ref]string
	dlqs        map[string]string // logical ID of a DLQ -> URL
	invocations map[string]*atomic.Int64
	stop        context.CancelFunc
	wg          sync.WaitGroup
	mu          sync.Mutex
	mappingErrs []error
	closeOnce   sync.Once
	closeErr    error
}

// Deploy creates the spec's tables, queues, functions, event-source mappings
// and state machines in em, in that order, and starts the mappings. It
// needs the embedded emulator, which hosts the functions. On error, what was
// created is removed again. Close the Deployment to stop the mappings and
// remove everything.
func Deploy(ctx context.Context, em *localstack.Emulator, spec stack.Spec, opts ...Option) (*Deployment, error) {
	o := options{prefix: spec.Name, root: "..", visibility: 2 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	d := &Deployment{
		Spec:        spec,
		cfg:         em.AWSConfig(),
		values:      map[stack.Ref]string{},
		dlqs:        map[string]string{},
		invocations: map[string]*atomic.Int64{},
	}
	if err := d.deploy(ctx, em, o); err != nil {
		return nil, errors.Join(err, d.Close(context.WithoutCancel(ctx)))
	}
	return d, nil
}

func (d *Deployment) deploy(ctx context.Context, em *localstack.Emulator, o options) error {
	name := func(logicalID string) string { return o.prefix + "-" + logicalID }
	for _, t := range d.Spec.Tables {
		n := name(t.LogicalID)
		err := fixture.CreateTable(ctx, d.cfg, fixture.TableSpec{Name: n, PartitionKey: t.PartitionKey, TTLAttribute: t.TTLAttribute})
		if err != nil {
			return err
		}
		d.values[stack.NameOf(t.LogicalID)] = n
		d.values[stack.ArnOf(t.LogicalID)] = fmt.Sprintf("arn:aws:dynamodb:%s:123456789012:table/%s", d.cfg.Region, n)
	}
	for _, q := range d.Spec.Queues {
		qopts := []fixture.QueueOption{fixture.WithVisibilityTimeout(o.visibility)}
		if q.DLQ != "" {
			qopts = append(qopts, fixture.WithDLQ(q.MaxReceiveCount))
		}
		created, err := fixture.CreateQueue(ctx, d.cfg, name(q.LogicalID), qopts...)
		if err != nil {
			return err
		}
		d.values[stack.NameOf(q.LogicalID)] = created.URL
		d.values[stack.ArnOf(q.LogicalID)] = created.ARN
		if created.DLQ != nil {
			d.values[stack.NameOf(q.DLQ)] = created.DLQ.URL
			d.values[stack.ArnOf(q.DLQ)] = created.DLQ.ARN
			d.dlqs[q.DLQ] = created.DLQ.URL
		}
	}
	mapCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	d.stop = stop
	sqsClient := sqs.NewFromConfig(d.cfg)
	for _, f := range d.Spec.Functions {
		env := map[string]string{}
		for k, ref := range f.Environment {
			v, ok := d.values[ref]
			if !ok {
				return fmt.Errorf("localdeploy: %s: environment %s refers to %s, which is not deployed", f.LogicalID, k, ref)
			}
			env[k] = v
		}
		h, err := f.New(d.cfg, func(k string) string { return env[k] })
		if err != nil {
			return fmt.Errorf("localdeploy: build %s: %w", f.LogicalID, err)
		}
		if o.wrap != nil {
			h = o.wrap(f.LogicalID, h)
		}
		count := new(atomic.Int64)
		d.invocations[f.LogicalID] = count
		h = counted{h, count}
		timeout := f.Timeout
		if timeout == 0 {
			timeout = 30 * time.Second
		}
		if d, ok := o.timeouts[f.LogicalID]; ok {
			timeout = d
		}
		if f.SQS != nil && timeout > o.visibility {
			timeout = o.visibility
		}
		arn, err := em.RegisterFunction(ctx, name(f.LogicalID), h, timeout)
		if err != nil {
			return err
		}
		d.values[stack.NameOf(f.LogicalID)] = name(f.LogicalID)
		d.values[stack.ArnOf(f.LogicalID)] = arn
		if f.SQS == nil {
			continue
		}
		url, ok := d.values[stack.NameOf(f.SQS.Queue)]
		if !ok {
			return fmt.Errorf("localdeploy: %s: event source queue %s is not deployed", f.LogicalID, f.SQS.Queue)
		}
		esm, err := esm.New(sqsClient, url, h,
			esm.WithBatchSize(f.SQS.BatchSize),
			esm.WithMaxConcurrency(f.SQS.MaximumConcurrency),
			esm.WithReportBatchItemFailures(true),
			esm.WithTimeout(timeout),
			esm.WithFunctionARN(arn),
		)
		if err != nil {
			return fmt.Errorf("localdeploy: %s: %w", f.LogicalID, err)
		}
		started := make(chan error, 1)
		id := f.LogicalID
		d.wg.Go(func() {
			// Run fails at once when it cannot start (the queue's
			// attributes, a visibility timeout below the function's);
			// otherwise it blocks until Close.
			if err := esm.Run(mapCtx); err != nil {
				err = fmt.Errorf("localdeploy: %s: event source mapping: %w", id, err)
				d.mu.Lock()
				d.mappingErrs = append(d.mappingErrs, err)
				d.mu.Unlock()
				started <- err
			}
		})
		// A mapping that has not failed within this time is polling; a later
		// start failure is still reported by Close.
		select {
		case err := <-started:
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
	return d.deployStateMachines(ctx, o, name)
}

// deployStateMachines creates the state machines in dependency order: a
// parent whose substitutions refer to a child is created after the child.
func (d *Deployment) deployStateMachines(ctx context.Context, o options, name func(string) string) error {
	pending := slices.Clone(d.Spec.StateMachines)
	for len(pending) > 0 {
		progress := false
		for i := 0; i < len(pending); i++ {
			sm := pending[i]
			subs := map[string]string{}
			ready := true
			for k, ref := range sm.Substitutions {
				v, ok := d.values[ref]
				if !ok {
					ready = false
					break
				}
				subs[k] = v
			}
			if !ready {
				continue
			}
			arn, err := fixture.DeployStateMachine(ctx, d.cfg, name(sm.LogicalID), filepath.Join(o.root, sm.DefinitionURI), subs)
			if err != nil {
				return err
			}
			d.values[stack.NameOf(sm.LogicalID)] = arn
			d.values[stack.ArnOf(sm.LogicalID)] = arn
			pending = slices.Delete(pending, i, i+1)
			i--
			progress = true
		}
		if !progress {
			return fmt.Errorf("localdeploy: state machines %v refer to resources that are not in the spec", pending)
		}
	}
	return nil
}

// counted counts a function's invocations.
type counted struct {
	lambda.Handler
	n *atomic.Int64
}

func (c counted) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	c.n.Add(1)
	return c.Handler.Invoke(ctx, payload)
}

// AWSConfig returns the configuration of the emulator the spec is deployed to.
func (d *Deployment) AWSConfig() aws.Config { return d.cfg.Copy() }

// Value returns what ref resolves to in this deployment, as
// DefinitionSubstitutions would: a function's name or ARN, a queue's URL or
// ARN, a table's name or ARN, a state machine's ARN. It is "" for a resource
// that is not deployed.
func (d *Deployment) Value(ref stack.Ref) string { return d.values[ref] }

// StateMachineARN returns the ARN of the state machine with the logical ID.
func (d *Deployment) StateMachineARN(logicalID string) string {
	return d.values[stack.NameOf(logicalID)]
}

// QueueURL returns the URL of the queue (or DLQ) with the logical ID.
func (d *Deployment) QueueURL(logicalID string) string { return d.values[stack.NameOf(logicalID)] }

// Invocations returns how many times each function was invoked, by logical ID.
func (d *Deployment) Invocations() map[string]int64 {
	out := make(map[string]int64, len(d.invocations))
	for id, n := range d.invocations {
		out[id] = n.Load()
	}
	return out
}

// Run starts an execution of the state machine with the logical ID, named
// name, and waits for it to finish; see fixture.RunExecution.
func (d *Deployment) Run(ctx context.Context, stateMachine, name, input string) (*fixture.Execution, error) {
	arn := d.StateMachineARN(stateMachine)
	if arn == "" {
		return nil, fmt.Errorf("localdeploy: no state machine %s in %s", stateMachine, d.Spec.Name)
	}
	return fixture.RunExecution(ctx, d.cfg, arn, name, input)
}

// DLQMessages returns how many messages each dead-letter queue holds, by
// logical ID, counting the visible and the in-flight ones.
func (d *Deployment) DLQMessages(ctx context.Context) (map[string]int, error) {
	client := sqs.NewFromConfig(d.cfg)
	out := map[string]int{}
	for id, url := range d.dlqs {
		n, err := queueDepth(ctx, client, url)
		if err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, nil
}

func queueDepth(ctx context.Context, client *sqs.Client, url string) (int, error) {
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		},
	})
	if err != nil {
		return 0, fmt.Errorf("localdeploy: queue attributes of %s: %w", url, err)
	}
	total := 0
	for _, k := range []sqstypes.QueueAttributeName{
		sqstypes.QueueAttributeNameApproximateNumberOfMessages,
		sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
	} {
		n, _ := strconv.Atoi(attrs.Attributes[string(k)])
		total += n
	}
	return total, nil
}

// Close stops the event-source mappings, waits for their invocations to
// finish, and deletes the state machines, functions, queues and tables. It
// is idempotent and returns every deletion error, and the error of a mapping
// that failed to start late.
func (d *Deployment) Close(ctx context.Context) error {
	d.closeOnce.Do(func() {
		if d.stop != nil {
			d.stop()
		}
		d.wg.Wait()
		d.mu.Lock()
		errs := append([]error(nil), d.mappingErrs...)
		d.mu.Unlock()
		sfnClient := sfn.NewFromConfig(d.cfg)
		for _, sm := range d.Spec.StateMachines {
			if arn := d.values[stack.NameOf(sm.LogicalID)]; arn != "" {
				if _, err := sfnClient.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(arn)}); err != nil {
					errs = append(errs, fmt.Errorf("localdeploy: delete %s: %w", sm.LogicalID, err))
				}
			}
		}
		lambdaClient := awslambda.NewFromConfig(d.cfg)
		for _, f := range d.Spec.Functions {
			if n := d.values[stack.NameOf(f.LogicalID)]; n != "" {
				if _, err := lambdaClient.DeleteFunction(ctx, &awslambda.DeleteFunctionInput{FunctionName: aws.String(n)}); err != nil {
					errs = append(errs, fmt.Errorf("localdeploy: delete %s: %w", f.LogicalID, err))
				}
			}
		}
		sqsClient := sqs.NewFromConfig(d.cfg)
		for _, q := range d.Spec.Queues {
			for _, id := range []string{q.LogicalID, q.DLQ} {
				if url := d.values[stack.NameOf(id)]; id != "" && url != "" {
					if _, err := sqsClient.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
						errs = append(errs, fmt.Errorf("localdeploy: delete %s: %w", id, err))
					}
				}
			}
		}
		ddb := dynamodb.NewFromConfig(d.cfg)
		for _, t := range d.Spec.Tables {
			if n := d.values[stack.NameOf(t.LogicalID)]; n != "" {
				if _, err := ddb.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(n)}); err != nil {
					errs = append(errs, fmt.Errorf("localdeploy: delete %s: %w", t.LogicalID, err))
				}
			}
		}
		d.closeErr = errors.Join(errs...)
	})
	return d.closeErr
}

// QueueDepth returns how many messages the queue (or DLQ) with the logical
// ID holds, visible and in flight.
func (d *Deployment) QueueDepth(ctx context.Context, logicalID string) (int, error) {
	url := d.QueueURL(logicalID)
	if url == "" {
		return 0, fmt.Errorf("localdeploy: no queue %s in %s", logicalID, d.Spec.Name)
	}
	return queueDepth(ctx, sqs.NewFromConfig(d.cfg), url)
}

// SendMessages sends bodies to the queue with the logical ID, ten per call.
func (d *Deployment) SendMessages(ctx context.Context, logicalID string, bodies ...string) error {
	url := d.QueueURL(logicalID)
	if url == "" {
		return fmt.Errorf("localdeploy: no queue %s in %s", logicalID, d.Spec.Name)
	}
	client := sqs.NewFromConfig(d.cfg)
	for start := 0; start < len(bodies); start += 10 {
		var entries []sqstypes.SendMessageBatchRequestEntry
		for i, b := range bodies[start:min(start+10, len(bodies))] {
			entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(start + i)), MessageBody: aws.String(b)})
		}
		out, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
		if err != nil {
			return fmt.Errorf("localdeploy: send to %s: %w", logicalID, err)
		}
		if len(out.Failed) > 0 {
			return fmt.Errorf("localdeploy: send to %s: %d messages refused, first: %s", logicalID, len(out.Failed), aws.ToString(out.Failed[0].Message))
		}
	}
	return nil
}

// WaitQueues polls until every queue in want holds exactly that many
// messages, or ctx ends. It returns the depths last seen; a poll that fails
// is tried again, and its error reported only if ctx ends first.
func (d *Deployment) WaitQueues(ctx context.Context, want map[string]int) (map[string]int, error) {
	got := map[string]int{}
	var lastErr error
	for {
		done := true
		for id, n := range want {
			depth, err := d.QueueDepth(ctx, id)
			if err != nil {
				// One failed poll is not the answer; poll again until ctx ends.
				lastErr, done = err, false
				continue
			}
			got[id] = depth
			if depth != n {
				done = false
			}
		}
		if done {
			return got, nil
		}
		select {
		case <-ctx.Done():
			if lastErr != nil {
				return got, fmt.Errorf("localdeploy: queues %v, want %v: %w (last poll error: %v)", got, want, ctx.Err(), lastErr)
			}
			return got, fmt.Errorf("localdeploy: queues %v, want %v: %w", got, want, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
