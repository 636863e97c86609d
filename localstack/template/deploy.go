package template

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/lambdakit/lambdakit/localstack"
	"github.com/lambdakit/lambdakit/localstack/esm"
	"github.com/lambdakit/lambdakit/localstack/fixture"
	"github.com/lambdakit/lambdakit/localstack/runtimeapi"
)

// Target is where a template is deployed. A *localstack.Emulator is one,
// embedded or attached to a LocalStack through AWS_ENDPOINT_URL or
// [localstack.WithEndpoint]. RegisterFunction makes a Go handler a Lambda
// function of the target; when it fails with [localstack.ErrNotEmbedded]
// (an attached LocalStack cannot call back into the test process), the
// function's SQS event sources still run in this process but Lambda and
// Step Functions cannot invoke it, and Deploy logs so.
type Target interface {
	AWSConfig() aws.Config
	RegisterFunction(ctx context.Context, name string, h lambda.Handler, timeout time.Duration) (string, error)
}

var _ Target = (*localstack.Emulator)(nil)

// Resource is one resource of a deployment: its names and what Ref and
// Fn::GetAtt return for it, or, for a resource that was not deployed, why.
type Resource struct {
	LogicalID string
	Type      string
	// Name is the physical name; for an event-source mapping, its UUID.
	Name string
	ARN  string
	// URL is a queue's URL.
	URL string
	// Ref is what Ref returns: a function's, table's or mapping's name or
	// id, a queue's URL, a state machine's ARN.
	Ref string
	// Attributes holds what Fn::GetAtt returns, by attribute name.
	Attributes map[string]string
	// Environment is a function's Environment.Variables, resolved.
	Environment map[string]string
	// Skipped says why the resource or event source was not deployed, for
	// example "AWS::Logs::LogGroup is not supported"; "" when deployed.
	Skipped string
}

// Stack is a deployed template. Its fields are set by Deploy and must not be
// changed; its methods are safe for concurrent use.
type Stack struct {
	// Name is the stack name, AWS::StackName and the prefix of the names.
	Name string
	// Resources are the deployed resources in the order they were created.
	Resources []Resource
	// Skipped lists what was not deployed because the test bed does not
	// support it ([WithSkipUnsupported]), in template order.
	Skipped []Resource
	// Outputs holds the template's Outputs, resolved; lists are joined with
	// commas.
	Outputs map[string]string

	stop      context.CancelFunc
	wg        sync.WaitGroup
	mu        sync.Mutex
	runErrs   []error
	undo      []func(context.Context) error
	closeOnce sync.Once
	closeErr  error
}

// Resource returns the deployed resource with the logical ID.
func (s *Stack) Resource(logicalID string) (Resource, bool) {
	for _, r := range s.Resources {
		if r.LogicalID == logicalID {
			return r, true
		}
	}
	return Resource{}, false
}

// Ref returns what Ref of the logical ID resolves to, "" for a resource that
// is not deployed.
func (s *Stack) Ref(logicalID string) string {
	r, _ := s.Resource(logicalID)
	return r.Ref
}

// GetAtt returns what Fn::GetAtt of the logical ID and attribute resolves
// to, "" when there is no such resource or attribute.
func (s *Stack) GetAtt(logicalID, attr string) string {
	r, _ := s.Resource(logicalID)
	return r.Attributes[attr]
}

// Close stops the event-source mappings (invocations in flight finish and
// are settled), stops the built functions' processes, and deletes every
// resource in the reverse order of creation. It returns every error, and
// those of mappings that failed to run. Close is idempotent.
func (s *Stack) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		if s.stop != nil {
			s.stop()
		}
		s.wg.Wait()
		s.mu.Lock()
		errs := slices.Clone(s.runErrs)
		s.mu.Unlock()
		for i := len(s.undo) - 1; i >= 0; i-- {
			if err := s.undo[i](ctx); err != nil {
				errs = append(errs, err)
			}
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// DeployInTest parses the template at path and deploys it onto target for
// the rest of tb, like [Template.Deploy], with the stack named after the
// test (see [WithPrefix]). It ends tb with Fatal when parsing or deploying
// fails, and removes everything when tb ends, failing tb if that fails.
func DeployInTest(tb testing.TB, target Target, path string, opts ...Option) *Stack {
	tb.Helper()
	t, err := Parse(path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	opts = append([]Option{WithPrefix(testStackName(tb))}, opts...)
	st, err := t.Deploy(tb.Context(), target, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := st.Close(ctx); err != nil {
			tb.Errorf("template: remove stack %s: %v", st.Name, err)
		}
	})
	return st
}

// testStackName is fixture.Name of the test, cut to leave room for the
// logical IDs while keeping its random suffix.
func testStackName(tb testing.TB) string {
	name := fixture.Name(tb, "")
	if len(name) > 32 {
		name = name[:23] + name[len(name)-9:]
	}
	return name
}

// Plan returns what [Template.Deploy] would create with opts, in creation
// order, followed by what it would skip, with the names it would use. It
// makes no AWS call: ARNs are those of region us-east-1 and account
// 123456789012, and URLs those of http://localhost:4566. Every error Deploy
// can find before creating anything, Plan finds too.
func (t *Template) Plan(opts ...Option) ([]Resource, error) {
	d := t.newDeployer(opts)
	d.region, d.account, d.endpoint = "us-east-1", "123456789012", "http://localhost:4566"
	order, err := d.prepare()
	if err != nil {
		return nil, err
	}
	if err := d.dryRun(order); err != nil {
		return nil, err
	}
	var out []Resource
	for _, r := range order {
		out = append(out, d.records[r.id].Resource)
	}
	return append(out, d.skippedList...), nil
}

// Deploy creates the template's resources on target, in dependency order,
// and starts the event-source mappings. Before creating anything it
// evaluates every property with the names it will use, so a bad template
// fails with an [*Error] and leaves nothing behind; a failure while
// creating removes what was created. Close the Stack to remove everything;
// ctx bounds the deployment only.
func (t *Template) Deploy(ctx context.Context, target Target, opts ...Option) (*Stack, error) {
	d := t.newDeployer(opts)
	d.target = target
	d.cfg = target.AWSConfig()
	d.region = d.cfg.Region
	if d.region == "" {
		d.region = "us-east-1"
	}
	d.endpoint = aws.ToString(d.cfg.BaseEndpoint)
	id, err := sts.NewFromConfig(d.cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("template: account of the target: %w", err)
	}
	d.account = aws.ToString(id.Account)
	order, err := d.prepare()
	if err != nil {
		return nil, err
	}
	if err := d.dryRun(order); err != nil {
		return nil, err
	}
	st := &Stack{Name: d.stack, Skipped: d.skippedList}
	d.st = st
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	st.stop = stop
	d.runCtx = runCtx
	d.records = map[string]*record{}
	d.planning = false
	for _, r := range order {
		if err := d.create(ctx, r); err != nil {
			return nil, errors.Join(locate(err, t.path, r.id, "", nil), st.Close(context.WithoutCancel(ctx)))
		}
		st.Resources = append(st.Resources, d.records[r.id].Resource)
	}
	if st.Outputs, err = d.outputs(); err != nil {
		return nil, errors.Join(err, st.Close(context.WithoutCancel(ctx)))
	}
	return st, nil
}

// deployer carries one deployment (or plan) of a template.
type deployer struct {
	t        *Template
	opts     options
	logger   *slog.Logger
	stack    string
	region   string
	account  string
	endpoint string
	s        *scope
	target   Target // nil while planning with Plan
	cfg      aws.Config
	planning bool
	runCtx   context.Context
	st       *Stack

	records     map[string]*record
	absent      map[string]string // logical ID -> why it is not deployed
	skippedList []Resource
}

// record is a resource as deployed (or predicted), with what other
// resources of the deployment need of it.
type record struct {
	Resource
	visibility time.Duration // a queue's
	handler    lambda.Handler
	timeout    time.Duration
}

func (t *Template) newDeployer(opts []Option) *deployer {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	d := &deployer{t: t, opts: o, logger: o.logger, stack: o.prefix, planning: true,
		records: map[string]*record{}, absent: map[string]string{}}
	if d.logger == nil {
		d.logger = slog.Default()
	}
	if d.stack == "" {
		var b [4]byte
		_, _ = rand.Read(b[:])
		d.stack = "lk-" + hex.EncodeToString(b[:])
	}
	return d
}

// prepare resolves parameters and conditions, selects the resources, lists
// the unsupported ones and returns the deployable ones in creation order.
func (d *deployer) prepare() ([]*resource, error) {
	d.s = newScope(d.t, d.region, d.account, d.stack)
	d.s.lookup = d.lookup
	if err := d.s.resolveParams(d.opts.params); err != nil {
		return nil, locate(err, d.t.path, "", "", nil)
	}
	if err := d.s.resolveConditions(); err != nil {
		return nil, locate(err, d.t.path, "", "", nil)
	}
	selected := map[string]bool{}
	if len(d.opts.only) == 0 {
		for _, r := range d.t.resources {
			selected[r.id] = true
		}
	}
	var add func(id string)
	add = func(id string) {
		if selected[id] {
			return
		}
		selected[id] = true
		for _, rf := range d.t.deps(d.t.byID[id]) {
			add(rf.target)
		}
	}
	for _, id := range d.opts.only {
		if d.t.byID[id] == nil {
			return nil, &Error{Path: d.t.path, LogicalID: id, Err: errorf(ErrUnresolved, "WithResources(%q): the template has no such resource", id)}
		}
		add(id)
	}
	var deploy []*resource
	var unsupported []Resource
	for _, r := range d.t.resources {
		switch {
		case !selected[r.id]:
			d.absent[r.id] = "it is not selected by WithResources"
			continue
		case r.condition != "" && !d.s.conds[r.condition]:
			d.absent[r.id] = "its condition " + r.condition + " is false"
			continue
		case !r.known:
			unsupported = append(unsupported, Resource{LogicalID: r.id, Type: r.typ, Skipped: r.typ + " is not supported"})
			d.absent[r.id] = r.typ + " is not supported"
			continue
		}
		if r.typ == typeFunction || r.typ == typeSAMMachine {
			evs := r.props.get("Events")
			for i, name := range eventNames(evs) {
				typ, _ := evs.vals[i].get("Type").str()
				if r.typ == typeFunction && typ == "SQS" {
					continue
				}
				unsupported = append(unsupported, Resource{LogicalID: r.id + ".Events." + name, Type: r.typ,
					Skipped: "event source type " + typ + " is not supported"})
			}
		}
		deploy = append(deploy, r)
	}
	if len(unsupported) > 0 {
		if !d.opts.skip {
			return nil, &UnsupportedError{Resources: unsupported}
		}
		for _, u := range unsupported {
			d.logger.Warn("template: skipped", "stack", d.stack, "logicalID", u.LogicalID, "reason", u.Skipped)
		}
		d.skippedList = unsupported
	}
	order, err := d.t.order(deploy)
	if err != nil {
		return nil, locate(err, d.t.path, "", "", nil)
	}
	return order, nil
}

func (d *deployer) lookup(id string) (*Resource, error) {
	if rec, ok := d.records[id]; ok {
		return &rec.Resource, nil
	}
	if why, ok := d.absent[id]; ok {
		return nil, errorf(ErrUnresolved, "%s is not deployed: %s", id, why)
	}
	return nil, fmt.Errorf("template: internal error: %s used before it is deployed", id)
}

// dryRun builds every resource's specification in creation order with
// predicted names and ARNs, so that errors surface before anything exists.
func (d *deployer) dryRun(order []*resource) error {
	for _, r := range order {
		for _, k := range r.props.keys {
			if !r.kind.uses(k) && !r.kind.ignores(k) {
				d.logger.Warn("template: property not applied locally", "stack", d.stack, "logicalID", r.id, "property", k)
			}
		}
		spec, err := d.spec(r)
		if err != nil {
			return locate(err, d.t.path, r.id, "", nil)
		}
		rec, err := d.predict(r, spec)
		if err != nil {
			return locate(err, d.t.path, r.id, "", nil)
		}
		d.records[r.id] = rec
	}
	_, err := d.outputs()
	return err
}

func (d *deployer) spec(r *resource) (any, error) {
	p, err := d.s.props(r)
	if err != nil {
		return nil, err
	}
	switch r.typ {
	case typeQueue:
		return d.queueSpec(r, p)
	case typeTable, typeSimpleTable:
		return d.tableSpec(r, p)
	case typeFunction:
		return d.functionSpec(r, p)
	case typeSAMMachine, typeStateMachine:
		return d.machineSpec(r, p)
	case typeMapping:
		return d.mappingSpec(r, p)
	}
	return nil, fmt.Errorf("template: internal error: no spec for %s", r.typ)
}

func (d *deployer) arn(service, resource string) string {
	return "arn:" + d.s.partition + ":" + service + ":" + d.region + ":" + d.account + ":" + resource
}

// predict returns the record a resource will have, and checks what
// depends on other resources of the deployment.
func (d *deployer) predict(r *resource, spec any) (*record, error) {
	rec := &record{Resource: Resource{LogicalID: r.id, Type: r.typ, Attributes: map[string]string{}}}
	switch s := spec.(type) {
	case *queueSpec:
		url := strings.TrimRight(d.endpoint, "/") + "/" + d.account + "/" + s.name
		d.setQueue(rec, s, url, d.arn("sqs", s.name))
	case *tableSpec:
		stream := ""
		if s.in.StreamSpecification != nil {
			stream = d.arn("dynamodb", "table/"+*s.in.TableName) + "/stream/planned"
		}
		setTable(rec, *s.in.TableName, d.arn("dynamodb", "table/"+*s.in.TableName), stream)
	case *functionSpec:
		setFunction(rec, s, d.arn("lambda", "function:"+s.name))
		for _, m := range s.events {
			if err := d.checkMapping(r.id, m, rec); err != nil {
				return nil, err
			}
		}
	case *machineSpec:
		setMachine(rec, s.name, d.arn("states", "stateMachine:"+s.name))
	case *mappingSpec:
		fn, err := d.mappingFunction(s)
		if err != nil {
			return nil, err
		}
		if err := d.checkMapping(r.id, s, fn); err != nil {
			return nil, err
		}
		setMapping(rec, "planned", d.arn("lambda", "event-source-mapping:planned"))
	}
	return rec, nil
}

func (d *deployer) setQueue(rec *record, s *queueSpec, url, arn string) {
	rec.Name, rec.URL, rec.ARN, rec.Ref = s.name, url, arn, url
	rec.Attributes = map[string]string{"Arn": arn, "QueueName": s.name, "QueueUrl": url}
	rec.visibility = time.Duration(s.visibility) * time.Second
}

func setTable(rec *record, name, arn, stream string) {
	rec.Name, rec.ARN, rec.Ref = name, arn, name
	rec.Attributes = map[string]string{"Arn": arn}
	if stream != "" {
		rec.Attributes["StreamArn"] = stream
	}
}

func setFunction(rec *record, s *functionSpec, arn string) {
	rec.Name, rec.ARN, rec.Ref = s.name, arn, s.name
	rec.Attributes = map[string]string{"Arn": arn}
	rec.Environment = s.env
	rec.timeout = s.timeout
}

func setMachine(rec *record, name, arn string) {
	rec.Name, rec.ARN, rec.Ref = name, arn, arn
	rec.Attributes = map[string]string{"Arn": arn, "Name": name}
}

func setMapping(rec *record, id, arn string) {
	rec.Name, rec.ARN, rec.Ref = id, arn, id
	rec.Attributes = map[string]string{"Id": id, "EventSourceMappingArn": arn}
}

// mappingFunction finds the function of an EventSourceMapping, by name or
// ARN, among the deployment's functions.
func (d *deployer) mappingFunction(m *mappingSpec) (*record, error) {
	for _, rec := range d.records {
		if rec.Type == typeFunction && (rec.Name == m.function || rec.ARN == m.function) {
			return rec, nil
		}
	}
	return nil, m.functionVal.err(ErrUnresolved, "function %q is not a function of this deployment", m.function)
}

// queueOf returns the deployment's queue with the ARN, or nil.
func (d *deployer) queueOf(arn string) *record {
	for _, rec := range d.records {
		if rec.Type == typeQueue && rec.ARN == arn {
			return rec
		}
	}
	return nil
}

// checkMapping applies CreateEventSourceMapping's rule that the queue's
// visibility timeout covers the function timeout, to queues of the
// deployment.
func (d *deployer) checkMapping(id string, m *mappingSpec, fn *record) error {
	arn, _ := m.queueARN.str()
	if q := d.queueOf(arn); q != nil && q.visibility < fn.timeout {
		e := m.queueARN.err(ErrInvalid, "queue %s has a VisibilityTimeout of %s, shorter than function %s's timeout of %s; Lambda refuses such a mapping",
			q.LogicalID, q.visibility, fn.LogicalID, fn.timeout)
		e.LogicalID = id
		return e
	}
	return nil
}

// create creates one resource, from a specification evaluated with the real
// values of those created before it.
func (d *deployer) create(ctx context.Context, r *resource) error {
	spec, err := d.spec(r)
	if err != nil {
		return err
	}
	rec := &record{Resource: Resource{LogicalID: r.id, Type: r.typ}}
	switch s := spec.(type) {
	case *queueSpec:
		err = d.createQueue(ctx, rec, s)
	case *tableSpec:
		err = d.createTable(ctx, rec, s)
	case *functionSpec:
		err = d.createFunction(ctx, r, rec, s)
	case *machineSpec:
		err = d.createMachine(ctx, rec, s)
	case *mappingSpec:
		var fn *record
		if fn, err = d.mappingFunction(s); err == nil {
			var b [16]byte
			_, _ = rand.Read(b[:])
			id := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
			setMapping(rec, id, d.arn("lambda", "event-source-mapping:"+id))
			err = d.startMapping(ctx, r.id, s, fn)
		}
	}
	if err != nil {
		return err
	}
	d.records[r.id] = rec
	return nil
}

func (d *deployer) createQueue(ctx context.Context, rec *record, s *queueSpec) error {
	client := sqs.NewFromConfig(d.cfg)
	out, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(s.name), Attributes: s.attrs})
	if err != nil {
		return fmt.Errorf("template: create queue %s: %w", s.name, err)
	}
	url := aws.ToString(out.QueueUrl)
	d.st.undo = append(d.st.undo, func(ctx context.Context) error {
		if _, err := client.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
			return fmt.Errorf("template: delete queue %s: %w", s.name, err)
		}
		return nil
	})
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		return fmt.Errorf("template: queue %s: %w", s.name, err)
	}
	d.setQueue(rec, s, url, attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)])
	return nil
}

func (d *deployer) createTable(ctx context.Context, rec *record, s *tableSpec) error {
	client := dynamodb.NewFromConfig(d.cfg)
	name := aws.ToString(s.in.TableName)
	if _, err := client.CreateTable(ctx, s.in); err != nil {
		return fmt.Errorf("template: create table %s: %w", name, err)
	}
	d.st.undo = append(d.st.undo, func(ctx context.Context) error {
		if _, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
			return fmt.Errorf("template: delete table %s: %w", name, err)
		}
		return nil
	})
	waiter := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 50*time.Millisecond, time.Second
	})
	desc, err := waiter.WaitForOutput(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 2*time.Minute)
	if err != nil {
		return fmt.Errorf("template: wait for table %s: %w", name, err)
	}
	if s.ttl != "" {
		if _, err := client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName:               aws.String(name),
			TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: aws.String(s.ttl), Enabled: aws.Bool(true)},
		}); err != nil {
			return fmt.Errorf("template: TTL of table %s: %w", name, err)
		}
	}
	setTable(rec, name, aws.ToString(desc.Table.TableArn), aws.ToString(desc.Table.LatestStreamArn))
	return nil
}

func (d *deployer) createMachine(ctx context.Context, rec *record, s *machineSpec) error {
	client := sfn.NewFromConfig(d.cfg)
	out, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String(s.name),
		Definition: aws.String(s.definition),
		RoleArn:    aws.String("arn:" + d.s.partition + ":iam::" + d.account + ":role/lambdakit-state-machine"),
		Type:       sfntypes.StateMachineType(s.typ),
	})
	if err != nil {
		return fmt.Errorf("template: create state machine %s: %w", s.name, err)
	}
	arn := aws.ToString(out.StateMachineArn)
	d.st.undo = append(d.st.undo, func(ctx context.Context) error {
		if _, err := client.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(arn)}); err != nil {
			return fmt.Errorf("template: delete state machine %s: %w", s.name, err)
		}
		return nil
	})
	setMachine(rec, s.name, arn)
	return nil
}

// lambdaEnv is the environment a function sees: the template's variables
// and those Lambda sets.
func (d *deployer) lambdaEnv(s *functionSpec) map[string]string {
	env := map[string]string{
		"AWS_REGION":                      d.region,
		"AWS_DEFAULT_REGION":              d.region,
		"AWS_LAMBDA_FUNCTION_NAME":        s.name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(s.memory),
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
	}
	if d.endpoint != "" {
		env["AWS_ENDPOINT_URL"] = d.endpoint
	}
	maps.Copy(env, s.env)
	return env
}

func (d *deployer) createFunction(ctx context.Context, r *resource, rec *record, s *functionSpec) error {
	setFunction(rec, s, d.arn("lambda", "function:"+s.name))
	env := d.lambdaEnv(s)
	var h lambda.Handler
	if newHandler, ok := d.opts.handlers[r.id]; ok {
		var err error
		if h, err = newHandler(d.cfg.Copy(), func(k string) string { return env[k] }); err != nil {
			return fmt.Errorf("template: handler of %s: %w", r.id, err)
		}
		if h == nil {
			return fmt.Errorf("template: handler of %s: WithHandler returned a nil handler", r.id)
		}
	} else {
		rt, err := d.startBuilt(ctx, r, s, env)
		if err != nil {
			return err
		}
		h = rt
	}
	arn, err := d.target.RegisterFunction(ctx, s.name, h, s.timeout)
	switch {
	case errors.Is(err, localstack.ErrNotEmbedded):
		d.logger.Warn("template: function runs only behind its event sources: the target cannot host Go handlers",
			"stack", d.stack, "logicalID", r.id, "error", err)
	case err != nil:
		return err
	default:
		rec.ARN, rec.Attributes["Arn"] = arn, arn
		client := awslambda.NewFromConfig(d.cfg)
		d.st.undo = append(d.st.undo, func(ctx context.Context) error {
			if _, err := client.DeleteFunction(ctx, &awslambda.DeleteFunctionInput{FunctionName: aws.String(s.name)}); err != nil {
				return fmt.Errorf("template: delete function %s: %w", s.name, err)
			}
			return nil
		})
	}
	rec.handler = h
	for _, m := range s.events {
		if err := d.startMapping(ctx, r.id, m, rec); err != nil {
			return err
		}
	}
	return nil
}

// startBuilt builds the function's CodeUri as sam build does for
// BuildMethod go1.x and starts it under the Runtime API emulator.
func (d *deployer) startBuilt(ctx context.Context, r *resource, s *functionSpec, env map[string]string) (*runtimeapi.Runtime, error) {
	dir, err := os.MkdirTemp("", "lambdakit-template-")
	if err != nil {
		return nil, err
	}
	d.st.undo = append(d.st.undo, func(context.Context) error { return os.RemoveAll(dir) })
	bootstrap := filepath.Join(dir, "bootstrap")
	if err := buildGo(ctx, s.codeURI, bootstrap); err != nil {
		return nil, &Error{Path: d.t.path, LogicalID: r.id, Property: "CodeUri", Err: err}
	}
	if d.cfg.Credentials != nil {
		creds, err := d.cfg.Credentials.Retrieve(ctx)
		if err != nil {
			return nil, fmt.Errorf("template: credentials for %s: %w", r.id, err)
		}
		env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = creds.AccessKeyID, creds.SecretAccessKey
		if creds.SessionToken != "" {
			env["AWS_SESSION_TOKEN"] = creds.SessionToken
		}
	}
	rt, err := runtimeapi.Start(ctx, bootstrap,
		runtimeapi.WithFunction(s.name), runtimeapi.WithTimeout(s.timeout), runtimeapi.WithMemory(s.memory),
		runtimeapi.WithRegion(d.region), runtimeapi.WithEnv(env), runtimeapi.WithLogger(d.logger))
	if err != nil {
		return nil, fmt.Errorf("template: start %s: %w", r.id, err)
	}
	d.st.undo = append(d.st.undo, func(context.Context) error { return rt.Close() })
	return rt, nil
}

// startMapping starts the local event-source mapping m from an SQS queue to
// the function fn, stopped by Stack.Close.
func (d *deployer) startMapping(ctx context.Context, id string, m *mappingSpec, fn *record) error {
	where := func(err error) error {
		return &Error{Path: d.t.path, LogicalID: id, Property: m.property, Line: m.queueARN.n.line, Column: m.queueARN.n.col, Err: err}
	}
	if !m.enabled {
		d.logger.Info("template: event source disabled (Enabled: false)", "stack", d.stack, "logicalID", id, "property", m.property)
		return nil
	}
	arn, _ := m.queueARN.str()
	client := sqs.NewFromConfig(d.cfg)
	url := ""
	if q := d.queueOf(arn); q != nil {
		url = q.URL
	} else {
		parts := strings.Split(arn, ":")
		if len(parts) != 6 {
			return where(errorf(ErrInvalid, "%q is not a queue ARN", arn))
		}
		out, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(parts[5]), QueueOwnerAWSAccountId: aws.String(parts[4])})
		if err != nil {
			return where(fmt.Errorf("template: queue %s: %w", arn, err))
		}
		url = aws.ToString(out.QueueUrl)
	}
	opts := []esm.Option{
		esm.WithBatchSize(m.batch), esm.WithBatchingWindow(m.window), esm.WithReportBatchItemFailures(m.report),
		esm.WithTimeout(fn.timeout), esm.WithFunctionARN(fn.ARN), esm.WithLogger(d.logger),
	}
	if m.concurrency > 0 {
		opts = append(opts, esm.WithMaxConcurrency(m.concurrency))
	}
	mapping, err := esm.New(client, url, fn.handler, opts...)
	if err != nil {
		return where(err)
	}
	st := d.st
	st.wg.Go(func() {
		if err := mapping.Run(d.runCtx); err != nil {
			st.mu.Lock()
			st.runErrs = append(st.runErrs, fmt.Errorf("template: %s.%s: event source mapping: %w", id, m.property, err))
			st.mu.Unlock()
		}
	})
	return nil
}

// outputs evaluates the Outputs. One that refers to a resource that is not
// deployed is left out and logged.
func (d *deployer) outputs() (map[string]string, error) {
	out := map[string]string{}
	for _, o := range d.t.outputs {
		if o.condition != "" && !d.s.conds[o.condition] {
			continue
		}
		v, err := d.s.eval(o.value)
		if errors.Is(err, ErrUnresolved) {
			if !d.planning {
				d.logger.Info("template: output left out", "stack", d.stack, "output", o.id, "reason", err)
			}
			continue
		}
		if err != nil {
			return nil, locate(err, d.t.path, o.id, "Value", o.value)
		}
		if list, ok := v.([]any); ok {
			parts := make([]string, len(list))
			for i, x := range list {
				parts[i], _ = scalarString(x)
			}
			out[o.id] = strings.Join(parts, ",")
			continue
		}
		s, ok := scalarString(v)
		if !ok {
			return nil, &Error{Path: d.t.path, Line: o.value.line, Column: o.value.col, LogicalID: o.id, Property: "Value",
				Err: errorf(ErrInvalid, "an output is a string, not %s", describe(v))}
		}
		out[o.id] = s
	}
	return out, nil
}
