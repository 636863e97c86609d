package template

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambdakit/lambdakit/localstack/fixture"
)

// Limits of physical names, by service.
const (
	maxQueueName    = 80
	maxMachineName  = 80
	maxTableName    = 255
	maxFunctionName = 64
)

// physicalName returns the name of a resource: the template's explicit
// name, with the stack name put in front unless it already starts with it,
// or stack-LogicalID. A name too long for the service is cut and given a
// hash of the whole, so it stays unique. suffix (".fifo") is kept.
func physicalName(stack, explicit, logicalID string, limit int, suffix string) string {
	name := stack + "-" + logicalID
	if explicit != "" {
		name = strings.TrimSuffix(explicit, suffix)
		if !strings.HasPrefix(name, stack) {
			name = stack + "-" + name
		}
	}
	if len(name)+len(suffix) > limit {
		sum := sha256.Sum256([]byte(name))
		name = name[:limit-len(suffix)-9] + "-" + hex.EncodeToString(sum[:4])
	}
	return name + suffix
}

// props evaluates the properties r uses. Only SQS events are evaluated; the
// others keep just their Type.
func (s *scope) props(r *resource) (value, error) {
	m := map[string]any{}
	for i, k := range r.props.keys {
		if !r.kind.uses(k) {
			continue
		}
		n := r.props.vals[i]
		if k == "Events" && n.kind == kMap {
			evs := map[string]any{}
			for j, name := range n.keys {
				ev := n.vals[j]
				typ, _ := ev.get("Type").str()
				if typ != "SQS" {
					evs[name] = map[string]any{"Type": typ}
					continue
				}
				v, err := s.eval(ev)
				if err != nil {
					return value{}, locate(err, "", r.id, "Events."+name, ev)
				}
				evs[name] = v
			}
			m[k] = evs
			continue
		}
		v, err := s.eval(n)
		if err != nil {
			return value{}, locate(err, "", r.id, k, n)
		}
		if _, skip := v.(noValue); !skip {
			m[k] = v
		}
	}
	return value{v: m, n: r.props, id: r.id}, nil
}

type queueSpec struct {
	name       string
	fifo       bool
	visibility int
	attrs      map[string]string
}

func (d *deployer) queueSpec(r *resource, p value) (*queueSpec, error) {
	q := &queueSpec{attrs: map[string]string{}, visibility: 30}
	var err error
	if f := p.field("FifoQueue"); f.present() {
		if q.fifo, err = f.bool(); err != nil {
			return nil, err
		}
	}
	explicit := ""
	if f := p.field("QueueName"); f.present() {
		if explicit, err = f.str(); err != nil {
			return nil, err
		}
		if q.fifo != strings.HasSuffix(explicit, ".fifo") {
			return nil, f.err(ErrInvalid, "a FIFO queue's name ends in .fifo, and only a FIFO queue's")
		}
	}
	suffix := ""
	if q.fifo {
		suffix = ".fifo"
		q.attrs["FifoQueue"] = "true"
	}
	q.name = physicalName(d.stack, explicit, r.id, maxQueueName, suffix)
	for _, k := range []string{"VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "MaximumMessageSize", "ReceiveMessageWaitTimeSeconds"} {
		if f := p.field(k); f.present() {
			n, err := f.int()
			if err != nil {
				return nil, err
			}
			q.attrs[k] = strconv.Itoa(n)
			if k == "VisibilityTimeout" {
				q.visibility = n
			}
		}
	}
	if f := p.field("ContentBasedDeduplication"); f.present() {
		b, err := f.bool()
		if err != nil {
			return nil, err
		}
		if !q.fifo {
			return nil, f.err(ErrInvalid, "only a FIFO queue has ContentBasedDeduplication")
		}
		q.attrs["ContentBasedDeduplication"] = strconv.FormatBool(b)
	}
	for _, k := range []string{"DeduplicationScope", "FifoThroughputLimit"} {
		if f := p.field(k); f.present() {
			s, err := f.str()
			if err != nil {
				return nil, err
			}
			q.attrs[k] = s
		}
	}
	if f := p.field("RedrivePolicy"); f.present() {
		policy := f
		if s, ok := f.v.(string); ok {
			var m map[string]any
			if err := json.Unmarshal([]byte(s), &m); err != nil {
				return nil, f.err(ErrInvalid, "RedrivePolicy is not JSON: %v", err)
			}
			policy.v = m
		}
		target := policy.field("deadLetterTargetArn")
		if !target.present() {
			return nil, f.err(ErrInvalid, "RedrivePolicy needs deadLetterTargetArn")
		}
		arn, err := target.str()
		if err != nil {
			return nil, err
		}
		count := policy.field("maxReceiveCount")
		if !count.present() {
			return nil, f.err(ErrInvalid, "RedrivePolicy needs maxReceiveCount")
		}
		n, err := count.int()
		if err != nil {
			return nil, err
		}
		b, _ := json.Marshal(map[string]any{"deadLetterTargetArn": arn, "maxReceiveCount": n})
		q.attrs["RedrivePolicy"] = string(b)
	}
	return q, nil
}

type tableSpec struct {
	in  *dynamodb.CreateTableInput
	ttl string // the TTL attribute, "" for none
}

func (d *deployer) tableSpec(r *resource, p value) (*tableSpec, error) {
	if r.typ == typeSimpleTable {
		return d.simpleTableSpec(r, p)
	}
	explicit := ""
	var err error
	if f := p.field("TableName"); f.present() {
		if explicit, err = f.str(); err != nil {
			return nil, err
		}
	}
	in := &dynamodb.CreateTableInput{TableName: aws.String(physicalName(d.stack, explicit, r.id, maxTableName, ""))}
	attrs, err := p.field("AttributeDefinitions").list()
	if err != nil {
		return nil, err
	}
	for _, a := range attrs {
		name, err := a.field("AttributeName").str()
		if err != nil {
			return nil, err
		}
		typ, err := a.field("AttributeType").str()
		if err != nil {
			return nil, err
		}
		if !slices.Contains([]string{"S", "N", "B"}, typ) {
			return nil, a.field("AttributeType").err(ErrInvalid, "AttributeType is S, N or B, not %q", typ)
		}
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddbtypes.AttributeDefinition{
			AttributeName: aws.String(name), AttributeType: ddbtypes.ScalarAttributeType(typ)})
	}
	if in.KeySchema, err = keySchema(p.field("KeySchema")); err != nil {
		return nil, err
	}
	billing := "PROVISIONED" // CloudFormation's default
	if f := p.field("BillingMode"); f.present() {
		if billing, err = f.str(); err != nil {
			return nil, err
		}
		if billing != "PROVISIONED" && billing != "PAY_PER_REQUEST" {
			return nil, f.err(ErrInvalid, "BillingMode is PROVISIONED or PAY_PER_REQUEST, not %q", billing)
		}
	}
	in.BillingMode = ddbtypes.BillingMode(billing)
	provisioned := billing == "PROVISIONED"
	if provisioned {
		if in.ProvisionedThroughput, err = throughput(p.field("ProvisionedThroughput"), true); err != nil {
			return nil, err
		}
	}
	if f := p.field("GlobalSecondaryIndexes"); f.present() {
		gsis, err := f.list()
		if err != nil {
			return nil, err
		}
		for _, g := range gsis {
			name, err := g.field("IndexName").str()
			if err != nil {
				return nil, err
			}
			ks, err := keySchema(g.field("KeySchema"))
			if err != nil {
				return nil, err
			}
			proj, err := projection(g.field("Projection"))
			if err != nil {
				return nil, err
			}
			idx := ddbtypes.GlobalSecondaryIndex{IndexName: aws.String(name), KeySchema: ks, Projection: proj}
			if provisioned {
				if idx.ProvisionedThroughput, err = throughput(g.field("ProvisionedThroughput"), true); err != nil {
					return nil, err
				}
			}
			in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, idx)
		}
	}
	if f := p.field("LocalSecondaryIndexes"); f.present() {
		lsis, err := f.list()
		if err != nil {
			return nil, err
		}
		for _, l := range lsis {
			name, err := l.field("IndexName").str()
			if err != nil {
				return nil, err
			}
			ks, err := keySchema(l.field("KeySchema"))
			if err != nil {
				return nil, err
			}
			proj, err := projection(l.field("Projection"))
			if err != nil {
				return nil, err
			}
			in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, ddbtypes.LocalSecondaryIndex{IndexName: aws.String(name), KeySchema: ks, Projection: proj})
		}
	}
	if f := p.field("StreamSpecification"); f.present() {
		view, err := f.field("StreamViewType").str()
		if err != nil {
			return nil, err
		}
		in.StreamSpecification = &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewType(view)}
	}
	t := &tableSpec{in: in}
	if f := p.field("TimeToLiveSpecification"); f.present() {
		on := true
		if e := f.field("Enabled"); e.present() {
			if on, err = e.bool(); err != nil {
				return nil, err
			}
		}
		if on {
			if t.ttl, err = f.field("AttributeName").str(); err != nil {
				return nil, err
			}
		}
	}
	return t, nil
}

func (d *deployer) simpleTableSpec(r *resource, p value) (*tableSpec, error) {
	explicit := ""
	var err error
	if f := p.field("TableName"); f.present() {
		if explicit, err = f.str(); err != nil {
			return nil, err
		}
	}
	key, typ := "id", "String"
	if f := p.field("PrimaryKey"); f.present() {
		if key, err = f.field("Name").str(); err != nil {
			return nil, err
		}
		if typ, err = f.field("Type").str(); err != nil {
			return nil, err
		}
	}
	short := map[string]string{"String": "S", "Number": "N", "Binary": "B"}[typ]
	if short == "" {
		return nil, p.field("PrimaryKey").field("Type").err(ErrInvalid, "PrimaryKey.Type is String, Number or Binary, not %q", typ)
	}
	in := &dynamodb.CreateTableInput{
		TableName:            aws.String(physicalName(d.stack, explicit, r.id, maxTableName, "")),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String(key), AttributeType: ddbtypes.ScalarAttributeType(short)}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String(key), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	}
	if f := p.field("ProvisionedThroughput"); f.present() {
		in.BillingMode = ddbtypes.BillingModeProvisioned
		if in.ProvisionedThroughput, err = throughput(f, true); err != nil {
			return nil, err
		}
	}
	return &tableSpec{in: in}, nil
}

func keySchema(v value) ([]ddbtypes.KeySchemaElement, error) {
	list, err := v.list()
	if err != nil {
		return nil, err
	}
	var out []ddbtypes.KeySchemaElement
	for _, e := range list {
		name, err := e.field("AttributeName").str()
		if err != nil {
			return nil, err
		}
		typ, err := e.field("KeyType").str()
		if err != nil {
			return nil, err
		}
		if typ != "HASH" && typ != "RANGE" {
			return nil, e.field("KeyType").err(ErrInvalid, "KeyType is HASH or RANGE, not %q", typ)
		}
		out = append(out, ddbtypes.KeySchemaElement{AttributeName: aws.String(name), KeyType: ddbtypes.KeyType(typ)})
	}
	return out, nil
}

func projection(v value) (*ddbtypes.Projection, error) {
	p := &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeAll}
	if !v.present() {
		return nil, v.err(ErrInvalid, "an index needs a Projection")
	}
	if f := v.field("ProjectionType"); f.present() {
		s, err := f.str()
		if err != nil {
			return nil, err
		}
		p.ProjectionType = ddbtypes.ProjectionType(s)
	}
	if f := v.field("NonKeyAttributes"); f.present() {
		list, err := f.list()
		if err != nil {
			return nil, err
		}
		for _, a := range list {
			s, err := a.str()
			if err != nil {
				return nil, err
			}
			p.NonKeyAttributes = append(p.NonKeyAttributes, s)
		}
	}
	return p, nil
}

func throughput(v value, required bool) (*ddbtypes.ProvisionedThroughput, error) {
	if !v.present() {
		if required {
			return nil, v.err(ErrInvalid, "BillingMode PROVISIONED (CloudFormation's default) needs ProvisionedThroughput")
		}
		return nil, nil
	}
	r, err := v.field("ReadCapacityUnits").int()
	if err != nil {
		return nil, err
	}
	w, err := v.field("WriteCapacityUnits").int()
	if err != nil {
		return nil, err
	}
	return &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(int64(r)), WriteCapacityUnits: aws.Int64(int64(w))}, nil
}

type functionSpec struct {
	name    string
	timeout time.Duration
	memory  int
	env     map[string]string
	events  []*mappingSpec
	codeURI string // the package to build, when no Go handler is bound
}

// mappingSpec is an SQS event source: a function's SQS event or an
// AWS::Lambda::EventSourceMapping.
type mappingSpec struct {
	event       string // the event's name, "" for an AWS::Lambda::EventSourceMapping
	property    string // where its queue is given, for errors
	queueARN    value
	function    string // an EventSourceMapping's FunctionName
	functionVal value
	batch       int
	window      time.Duration
	concurrency int
	report      bool
	enabled     bool
}

func (d *deployer) functionSpec(r *resource, p value) (*functionSpec, error) {
	f := &functionSpec{timeout: 3 * time.Second, memory: 128, env: map[string]string{}}
	explicit := ""
	var err error
	if v := p.field("FunctionName"); v.present() {
		if explicit, err = v.str(); err != nil {
			return nil, err
		}
	}
	f.name = physicalName(d.stack, explicit, r.id, maxFunctionName, "")
	if v := p.field("Timeout"); v.present() {
		n, err := v.int()
		if err != nil {
			return nil, err
		}
		if n < 1 || n > 900 {
			return nil, v.err(ErrInvalid, "Timeout is 1 to 900 seconds, not %d", n)
		}
		f.timeout = time.Duration(n) * time.Second
	}
	if v := p.field("MemorySize"); v.present() {
		if f.memory, err = v.int(); err != nil {
			return nil, err
		}
	}
	if v := p.field("Environment"); v.present() {
		if vars := v.field("Variables"); vars.present() {
			if f.env, err = vars.strMap(); err != nil {
				return nil, err
			}
		}
	}
	if _, bound := d.opts.handlers[r.id]; !bound {
		code := p.field("CodeUri")
		build := ""
		if bm, ok := r.metadata.get("BuildMethod").str(); ok {
			build = bm
		}
		if rt, ok := r.props.get("Runtime").str(); ok && rt == "go1.x" {
			build = "go1.x"
		}
		switch {
		case !code.present():
			return nil, code.err(ErrInvalid, "no Go handler is bound (WithHandler) and there is no CodeUri to build")
		case build != "go1.x":
			return nil, code.err(ErrUnsupported, "no Go handler is bound (WithHandler) and Metadata.BuildMethod is %q, not go1.x", build)
		}
		uri, ok := code.v.(string)
		if !ok {
			return nil, code.err(ErrUnsupported, "CodeUri in S3: bind a Go handler with WithHandler")
		}
		f.codeURI = filepath.Join(d.t.dir, filepath.FromSlash(uri))
	}
	if ev := p.field("Events"); ev.present() {
		evs, err := ev.mapping()
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, len(evs))
		for name := range evs {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			e := ev.field(name)
			if typ, _ := e.field("Type").v.(string); typ != "SQS" {
				continue // reported by the plan as unsupported
			}
			m, err := mappingFrom(e.field("Properties"), "Queue")
			if err != nil {
				return nil, err
			}
			m.event = name
			f.events = append(f.events, m)
		}
	}
	return f, nil
}

// mappingFrom reads an event source's settings from an SQS event's
// Properties or an EventSourceMapping's; queueKey is where the queue ARN is.
func mappingFrom(p value, queueKey string) (*mappingSpec, error) {
	m := &mappingSpec{batch: 10, enabled: true, property: strings.Join(append(slices.Clone(p.path), queueKey), ".")}
	if !p.present() {
		return nil, p.err(ErrInvalid, "an SQS event needs Properties with a %s", queueKey)
	}
	m.queueARN = p.field(queueKey)
	if !m.queueARN.present() {
		return nil, p.err(ErrInvalid, "an SQS event source needs %s", queueKey)
	}
	if _, err := m.queueARN.str(); err != nil {
		return nil, err
	}
	var err error
	if v := p.field("BatchSize"); v.present() {
		if m.batch, err = v.int(); err != nil {
			return nil, err
		}
	}
	if v := p.field("MaximumBatchingWindowInSeconds"); v.present() {
		n, err := v.int()
		if err != nil {
			return nil, err
		}
		m.window = time.Duration(n) * time.Second
	}
	if v := p.field("ScalingConfig").field("MaximumConcurrency"); v.present() {
		if m.concurrency, err = v.int(); err != nil {
			return nil, err
		}
	}
	if v := p.field("FunctionResponseTypes"); v.present() {
		list, err := v.list()
		if err != nil {
			return nil, err
		}
		for _, t := range list {
			s, err := t.str()
			if err != nil {
				return nil, err
			}
			if s != "ReportBatchItemFailures" {
				return nil, t.err(ErrInvalid, "FunctionResponseTypes holds ReportBatchItemFailures only, not %q", s)
			}
			m.report = true
		}
	}
	if v := p.field("Enabled"); v.present() {
		if m.enabled, err = v.bool(); err != nil {
			return nil, err
		}
	}
	if v := p.field("FilterCriteria"); v.present() {
		return nil, v.err(ErrUnsupported, "FilterCriteria: the local event-source mapping does not filter")
	}
	return m, nil
}

func (d *deployer) mappingSpec(r *resource, p value) (*mappingSpec, error) {
	m, err := mappingFrom(p, "EventSourceArn")
	if err != nil {
		return nil, err
	}
	if arn, _ := m.queueARN.str(); !strings.Contains(arn, ":sqs:") {
		return nil, m.queueARN.err(ErrUnsupported, "event source %s: only SQS queues have a local event-source mapping", arn)
	}
	m.functionVal = p.field("FunctionName")
	if m.function, err = m.functionVal.str(); err != nil {
		return nil, err
	}
	return m, nil
}

type machineSpec struct {
	name       string
	definition string
	typ        string
}

func (d *deployer) machineSpec(r *resource, p value) (*machineSpec, error) {
	sam := r.typ == typeSAMMachine
	nameKey, typeKey := "StateMachineName", "StateMachineType"
	if sam {
		nameKey, typeKey = "Name", "Type"
	}
	m := &machineSpec{typ: "STANDARD"}
	explicit := ""
	var err error
	if v := p.field(nameKey); v.present() {
		if explicit, err = v.str(); err != nil {
			return nil, err
		}
	}
	m.name = physicalName(d.stack, explicit, r.id, maxMachineName, "")
	if v := p.field(typeKey); v.present() {
		if m.typ, err = v.str(); err != nil {
			return nil, err
		}
		if m.typ != "STANDARD" && m.typ != "EXPRESS" {
			return nil, v.err(ErrInvalid, "%s is STANDARD or EXPRESS, not %q", typeKey, m.typ)
		}
	}
	var sources []string
	for _, k := range []string{"Definition", "DefinitionUri", "DefinitionString", "DefinitionS3Location"} {
		if p.field(k).present() {
			sources = append(sources, k)
		}
	}
	if len(sources) != 1 {
		return nil, p.err(ErrInvalid, "a state machine needs exactly one definition, not %d (%s)", len(sources), strings.Join(sources, ", "))
	}
	src := p.field(sources[0])
	path := ""
	switch sources[0] {
	case "Definition":
		if _, err := src.mapping(); err != nil {
			return nil, err
		}
		b, err := json.Marshal(src.v)
		if err != nil {
			return nil, src.err(ErrInvalid, "%v", err)
		}
		m.definition = string(b)
	case "DefinitionString":
		if m.definition, err = src.str(); err != nil {
			return nil, err
		}
	case "DefinitionUri":
		uri, ok := src.v.(string)
		if !ok {
			return nil, src.err(ErrUnsupported, "DefinitionUri in S3: give a local file")
		}
		path = filepath.Join(d.t.dir, filepath.FromSlash(uri))
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, src.err(ErrInvalid, "%v", err)
		}
		m.definition = string(b)
	case "DefinitionS3Location":
		return nil, src.err(ErrUnsupported, "DefinitionS3Location: give the definition inline (Definition or DefinitionString)")
	}
	subs := map[string]string{}
	if v := p.field("DefinitionSubstitutions"); v.present() {
		if subs, err = v.strMap(); err != nil {
			return nil, err
		}
	}
	def, err := fixture.Substitute(m.definition, subs)
	if err != nil {
		var se *fixture.SubstitutionError
		if errors.As(err, &se) {
			se.Path = path
		}
		at := p.field("DefinitionSubstitutions")
		if !at.present() {
			at = src
		}
		e := at.err(ErrUnresolved, "")
		e.Err = fmt.Errorf("%w: %w", ErrUnresolved, err)
		e.Property = "DefinitionSubstitutions"
		return nil, e
	}
	if !json.Valid([]byte(def)) {
		return nil, src.err(ErrInvalid, "the definition is not JSON")
	}
	m.definition = def
	return m, nil
}
