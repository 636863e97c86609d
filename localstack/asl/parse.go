package asl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// stateTypes are the state types, in the order AWS lists them in its error.
var stateTypes = []string{"Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map"}

// Parse parses and validates a state machine definition as CreateStateMachine
// does. A definition Step Functions would refuse gives a *DefinitionError
// listing every problem found: schema problems first (unknown or misplaced
// fields, wrong types, bad paths); when there are none, the transitions
// (targets that do not exist, states that cannot be reached, a scope with no
// terminal state) and state names used twice.
//
// See https://states-language.net/spec.html and
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinitionDiagnostic.html.
func Parse(definition []byte) (*Definition, error) {
	if len(bytes.TrimSpace(definition)) == 0 {
		return nil, &DefinitionError{Diagnostics: []Diagnostic{{Code: "SCHEMA_VALIDATION_FAILED", Message: "Definition must be a valid JSON object"}}}
	}
	v, err := decodeOrdered(definition)
	if err != nil {
		return nil, &DefinitionError{Diagnostics: []Diagnostic{syntaxDiagnostic(definition, err)}}
	}
	obj, ok := v.(*object)
	if !ok {
		return nil, &DefinitionError{Diagnostics: []Diagnostic{{Code: "SCHEMA_VALIDATION_FAILED", Message: "Definition must be a valid JSON object"}}}
	}
	p := &parser{}
	def := p.definition(obj, "", JSONPath, true)
	if len(p.diags) == 0 {
		p.transitions(def, "")
		p.duplicates(def, "", map[string]bool{})
	}
	if len(p.diags) > 0 {
		return nil, &DefinitionError{Diagnostics: p.diags}
	}
	return def, nil
}

type parser struct {
	diags []Diagnostic
}

func (p *parser) fail(code, loc, format string, args ...any) {
	p.diags = append(p.diags, Diagnostic{Code: code, Message: fmt.Sprintf(format, args...), Location: loc})
}

func (p *parser) schema(loc, format string, args ...any) {
	p.fail("SCHEMA_VALIDATION_FAILED", loc, format, args...)
}

// at joins a location and a field name into a JSON pointer.
func at(loc, field string) string { return loc + "/" + field }

// definition parses a definition, or a branch or item processor (top false).
func (p *parser) definition(o *object, loc, inherited string, top bool) *Definition {
	def := &Definition{States: map[string]*State{}, QueryLanguage: inherited}
	allowed := []string{"Comment", "StartAt", "States", "QueryLanguage"}
	if top {
		allowed = append(allowed, "TimeoutSeconds", "Version")
	} else {
		allowed = append(allowed, "ProcessorConfig") // checked by the Map state
	}
	where := loc
	if where == "" {
		where = "/"
	}
	p.unsupported(o, where, allowed)
	var missing []string
	if _, ok := o.get("States"); !ok {
		missing = append(missing, "States")
	}
	if _, ok := o.get("StartAt"); !ok {
		missing = append(missing, "StartAt")
	}
	if len(missing) > 0 {
		p.schema(where, "These fields are required: [%s]", strings.Join(missing, ", "))
	}
	def.Comment = p.str(o, "Comment", loc)
	def.StartAt = p.str(o, "StartAt", loc)
	if ql, ok := o.get("QueryLanguage"); ok {
		s, _ := ql.(string)
		switch {
		case s != JSONPath && s != JSONata:
			p.schema(at(loc, "QueryLanguage"), "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]")
		case s == JSONPath && inherited == JSONata:
			p.schema(where, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine")
		default:
			def.QueryLanguage = s
		}
	}
	if top {
		if _, ok := o.get("TimeoutSeconds"); ok {
			def.TimeoutSeconds = p.nonNegInt(o, "TimeoutSeconds", loc, 1)
		}
		def.Version = p.str(o, "Version", loc)
	}
	if sv, ok := o.get("States"); ok {
		states, isObj := sv.(*object)
		switch {
		case !isObj:
			p.schema(at(loc, "States"), "The value for the field 'States' must be an OBJECT")
		case len(states.keys) == 0:
			p.schema(at(loc, "States"), "Value cannot be empty")
		default:
			for _, name := range states.dups {
				p.fail("DUPLICATE_STATE_NAME", at(at(loc, "States"), name), "Duplicate State name: %s", name)
			}
			for _, name := range states.keys {
				sloc := at(at(loc, "States"), name)
				so, isObj := states.vals[name].(*object)
				if !isObj {
					p.schema(sloc, "The value for the field '%s' must be an OBJECT", name)
					continue
				}
				if len(name) > 80 {
					p.fail("INVALID_STATE_NAME", sloc, "State name exceeds the maximum length of 80: %s", name)
				}
				def.States[name] = p.state(name, so, sloc, def.QueryLanguage)
				def.Order = append(def.Order, name)
			}
		}
	}
	return def
}

// fieldsFor lists the fields a state of type typ may have in query language ql.
func fieldsFor(typ, ql string) []string {
	fields := []string{"Type", "Comment", "QueryLanguage"}
	add := func(fs ...string) { fields = append(fields, fs...) }
	jsonPath := ql == JSONPath
	if typ != "Succeed" && typ != "Fail" {
		add("Assign")
	}
	if typ != "Choice" && typ != "Succeed" && typ != "Fail" {
		add("Next", "End")
	}
	if typ != "Fail" {
		if jsonPath {
			add("InputPath", "OutputPath")
		} else {
			add("Output")
		}
	}
	switch typ {
	case "Pass":
		add("Result")
		if jsonPath {
			add("ResultPath", "Parameters")
		}
	case "Task":
		add("Resource", "TimeoutSeconds", "HeartbeatSeconds", "Credentials", "Retry", "Catch")
		if jsonPath {
			add("ResultPath", "Parameters", "ResultSelector", "TimeoutSecondsPath", "HeartbeatSecondsPath")
		} else {
			add("Arguments")
		}
	case "Choice":
		add("Choices", "Default")
	case "Wait":
		add("Seconds", "Timestamp")
		if jsonPath {
			add("SecondsPath", "TimestampPath")
		}
	case "Fail":
		add("Error", "Cause")
		if jsonPath {
			add("ErrorPath", "CausePath")
		}
	case "Parallel":
		add("Branches", "Retry", "Catch")
		if jsonPath {
			add("ResultPath", "Parameters", "ResultSelector")
		} else {
			add("Arguments")
		}
	case "Map":
		add("Iterator", "ItemProcessor", "ItemReader", "ItemBatcher", "ResultWriter", "MaxConcurrency",
			"ToleratedFailureCount", "ToleratedFailurePercentage", "Label", "Retry", "Catch", "ItemSelector")
		if jsonPath {
			add("ItemsPath", "Parameters", "ResultPath", "ResultSelector", "MaxConcurrencyPath",
				"ToleratedFailureCountPath", "ToleratedFailurePercentagePath")
		} else {
			add("Items", "Arguments")
		}
	}
	return fields
}

// unsupported reports every field of o that is not in allowed.
func (p *parser) unsupported(o *object, loc string, allowed []string) {
	for _, k := range o.keys {
		if !slices.Contains(allowed, k) {
			p.schema(loc, "Field '%s' is not supported", k)
		}
	}
}

func (p *parser) state(name string, o *object, loc, inherited string) *State {
	s := &State{Name: name, QueryLanguage: inherited}
	tv, ok := o.get("Type")
	if !ok {
		p.schema(loc, "These fields are required: [Type]")
		return s
	}
	s.Type, _ = tv.(string)
	if !slices.Contains(stateTypes, s.Type) {
		p.schema(at(loc, "Type"), "The field 'Type' should have one of these values: [%s]", strings.Join(stateTypes, ", "))
		return s
	}
	if qv, ok := o.get("QueryLanguage"); ok {
		q, _ := qv.(string)
		switch {
		case q != JSONPath && q != JSONata:
			p.schema(at(loc, "QueryLanguage"), "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]")
		case q == JSONPath && inherited == JSONata:
			p.schema(loc, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine")
		default:
			s.QueryLanguage = q
		}
	}
	p.unsupported(o, loc, fieldsFor(s.Type, s.QueryLanguage))
	s.Comment = p.str(o, "Comment", loc)

	p.transition(s, o, loc)
	p.io(s, o, loc)
	switch s.Type {
	case "Pass":
		s.Result, s.HasResult = plainField(o, "Result")
	case "Task":
		p.task(s, o, loc)
	case "Choice":
		p.choice(s, o, loc)
	case "Wait":
		p.wait(s, o, loc)
	case "Fail":
		p.failState(s, o, loc)
	case "Parallel":
		p.parallel(s, o, loc)
	case "Map":
		p.mapState(s, o, loc)
	}
	if s.Type == "Task" || s.Type == "Parallel" || s.Type == "Map" {
		s.Retry = p.retriers(o, loc)
		s.Catch = p.catchers(o, loc, s.QueryLanguage)
	}
	return s
}

// transition reads Next and End: every state but Choice, Succeed and Fail
// has exactly one of them.
func (p *parser) transition(s *State, o *object, loc string) {
	if s.Type == "Choice" || s.Type == "Succeed" || s.Type == "Fail" {
		return
	}
	_, hasNext := o.get("Next")
	ev, hasEnd := o.get("End")
	s.Next = p.str(o, "Next", loc)
	if hasEnd {
		b, ok := ev.(bool)
		if !ok {
			p.schema(at(loc, "End"), "The value for the field 'End' must be a BOOLEAN")
		}
		s.End = b
	}
	switch {
	case hasNext && hasEnd:
		p.schema(loc, "Only one of these fields may be present: [Next, End]")
	case !hasNext && !s.End:
		p.schema(loc, "These fields are required: [Next]")
	}
}

// io reads the input and output processing fields of the state's query language.
func (p *parser) io(s *State, o *object, loc string) {
	if s.QueryLanguage == JSONata {
		s.Output, s.HasOutput = plainField(o, "Output")
		s.Arguments, s.HasArguments = plainField(o, "Arguments")
		s.Assign, s.HasAssign = p.assign(o, loc)
		return
	}
	s.InputPath = p.nullablePath(o, "InputPath", loc, false)
	s.OutputPath = p.nullablePath(o, "OutputPath", loc, false)
	s.ResultPath = p.nullablePath(o, "ResultPath", loc, true)
	s.Parameters, s.HasParameters = p.template(o, "Parameters", loc)
	s.ResultSelector, s.HasResultSelector = p.template(o, "ResultSelector", loc)
	s.Assign, s.HasAssign = p.assign(o, loc)
}

func (p *parser) assign(o *object, loc string) (any, bool) {
	v, ok := o.get("Assign")
	if !ok {
		return nil, false
	}
	if _, isObj := v.(*object); !isObj {
		p.schema(at(loc, "Assign"), "The value for the field 'Assign' must be an OBJECT")
	}
	return plain(v), true
}

func (p *parser) task(s *State, o *object, loc string) {
	if _, ok := o.get("Resource"); !ok {
		p.schema(loc, "These fields are required: [Resource]")
	} else {
		s.Resource = p.str(o, "Resource", loc)
		if !validResource(s.Resource) {
			p.schema(at(loc, "Resource"), "The resource provided %s is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.", s.Resource)
		}
	}
	s.TimeoutSeconds, s.TimeoutExpr = p.secondsField(s, o, "TimeoutSeconds", loc)
	s.HeartbeatSeconds, s.HeartbeatExpr = p.secondsField(s, o, "HeartbeatSeconds", loc)
	_, hasTimeout := o.get("TimeoutSeconds")
	_, hasHeartbeat := o.get("HeartbeatSeconds")
	if s.QueryLanguage == JSONPath {
		s.TimeoutSecondsPath = p.refPath(o, "TimeoutSecondsPath", loc)
		s.HeartbeatSecondsPath = p.refPath(o, "HeartbeatSecondsPath", loc)
		if hasTimeout && s.TimeoutSecondsPath != "" {
			p.schema(loc, "Only one of these fields may be present: [TimeoutSeconds, TimeoutSecondsPath]")
		}
		if hasHeartbeat && s.HeartbeatSecondsPath != "" {
			p.schema(loc, "Only one of these fields may be present: [HeartbeatSeconds, HeartbeatSecondsPath]")
		}
	}
	if s.TimeoutSeconds > 0 && s.HeartbeatSeconds > 0 && s.HeartbeatSeconds >= s.TimeoutSeconds {
		p.schema(at(loc, "HeartbeatSeconds"), "The value for the field 'HeartbeatSeconds' must be smaller than the value for the field 'TimeoutSeconds'")
	}
	if v, ok := o.get("Credentials"); ok {
		c, isObj := v.(*object)
		switch {
		case !isObj:
			p.schema(at(loc, "Credentials"), "The value for the field 'Credentials' must be an OBJECT")
		default:
			_, role := c.get("RoleArn")
			_, rolePath := c.get("RoleArn.$")
			if !role && !rolePath {
				p.schema(at(loc, "Credentials"), "The field 'RoleArn' is required but was missing")
			}
			s.Credentials, _ = plain(c).(map[string]any)
		}
	}
}

// secondsField reads a positive whole number of seconds, or in JSONata an
// expression that gives one.
func (p *parser) secondsField(s *State, o *object, field, loc string) (int, string) {
	v, ok := o.get(field)
	if !ok {
		return 0, ""
	}
	if str, isStr := v.(string); isStr && s.QueryLanguage == JSONata && isExpression(str) {
		return 0, str
	}
	return p.nonNegInt(o, field, loc, 1), ""
}

// isExpression reports whether a JSONata field value is an expression ({% ... %}).
func isExpression(s string) bool {
	return strings.HasPrefix(s, "{%") && strings.HasSuffix(s, "%}") && len(s) >= 4
}

// validResource accepts what a Task's Resource may be: an ARN (a Lambda
// function, an activity, or an arn:aws:states::: service integration).
func validResource(r string) bool {
	parts := strings.SplitN(r, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		return false
	}
	if parts[2] == "states" && parts[3] == "" && parts[4] == "" {
		return strings.Contains(parts[5], ":") // <service>:<action>[.<pattern>]
	}
	return parts[5] != ""
}

func (p *parser) wait(s *State, o *object, loc string) {
	n := 0
	for _, f := range []string{"Seconds", "Timestamp", "SecondsPath", "TimestampPath"} {
		if _, ok := o.get(f); ok {
			n++
		}
	}
	if n != 1 {
		p.schema(loc, "Exactly one of these fields must be present: [Seconds, Timestamp, SecondsPath, TimestampPath]")
	}
	if v, ok := o.get("Seconds"); ok {
		if str, isStr := v.(string); isStr && s.QueryLanguage == JSONata && isExpression(str) {
			s.SecondsExpr = str
		} else {
			sec := p.nonNegInt(o, "Seconds", loc, 0)
			s.Seconds = &sec
		}
	}
	if v, ok := o.get("Timestamp"); ok {
		str, _ := v.(string)
		switch {
		case s.QueryLanguage == JSONata && isExpression(str):
			s.TimestampExpr = str
		case !validTimestamp(str):
			p.schema(at(loc, "Timestamp"), "String does not match RFC3339 timestamp")
		default:
			s.Timestamp = str
		}
	}
	if s.QueryLanguage == JSONPath {
		s.SecondsPath = p.refPath(o, "SecondsPath", loc)
		s.TimestampPath = p.refPath(o, "TimestampPath", loc)
	}
}

// validTimestamp reports whether s is an RFC 3339 timestamp with an
// uppercase T and a time zone, as the States Language requires.
func validTimestamp(s string) bool {
	if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
		return false
	}
	return strings.Contains(s, "T")
}

func (p *parser) failState(s *State, o *object, loc string) {
	s.Error = p.str(o, "Error", loc)
	s.Cause = p.str(o, "Cause", loc)
	if s.QueryLanguage != JSONPath {
		return
	}
	s.ErrorPath = p.pathOrIntrinsic(o, "ErrorPath", loc)
	s.CausePath = p.pathOrIntrinsic(o, "CausePath", loc)
	if _, ok := o.get("Error"); ok && s.ErrorPath != "" {
		p.schema(loc, "Only one of these fields may be present: [Error, ErrorPath]")
	}
	if _, ok := o.get("Cause"); ok && s.CausePath != "" {
		p.schema(loc, "Only one of these fields may be present: [Cause, CausePath]")
	}
}

func (p *parser) parallel(s *State, o *object, loc string) {
	v, ok := o.get("Branches")
	if !ok {
		p.schema(loc, "These fields are required: [Branches]")
		return
	}
	branches, isArr := v.([]any)
	switch {
	case !isArr:
		p.schema(at(loc, "Branches"), "The value for the field 'Branches' must be an ARRAY")
	case len(branches) == 0:
		p.schema(at(loc, "Branches"), "Value cannot be empty")
	}
	for i, b := range branches {
		bloc := fmt.Sprintf("%s/Branches[%d]", loc, i)
		bo, isObj := b.(*object)
		if !isObj {
			p.schema(bloc, "The value for the field 'Branches' must be an ARRAY of OBJECT")
			continue
		}
		if _, has := bo.get("ProcessorConfig"); has {
			p.schema(bloc, "Field 'ProcessorConfig' is not supported")
		}
		s.Branches = append(s.Branches, p.definition(bo, bloc, s.QueryLanguage, false))
	}
}

func (p *parser) mapState(s *State, o *object, loc string) {
	_, hasIterator := o.get("Iterator")
	_, hasProcessor := o.get("ItemProcessor")
	field := "ItemProcessor"
	switch {
	case hasIterator && hasProcessor:
		p.schema(loc, "Only one of these fields may be present: [ItemProcessor, Iterator]")
	case hasIterator:
		field = "Iterator"
	case !hasProcessor:
		p.schema(loc, "These fields are required: [ItemProcessor]")
	}
	s.ProcessorMode = "INLINE"
	if v, ok := o.get(field); ok {
		ploc := at(loc, field)
		po, isObj := v.(*object)
		if !isObj {
			p.schema(ploc, "The value for the field '%s' must be an OBJECT", field)
		} else {
			if cv, ok := po.get("ProcessorConfig"); ok {
				p.processorConfig(s, cv, at(ploc, "ProcessorConfig"))
			}
			s.ItemProcessor = p.definition(po, ploc, s.QueryLanguage, false)
		}
	}
	distributed := s.ProcessorMode == "DISTRIBUTED"
	for _, f := range []string{"ItemReader", "ItemBatcher", "ResultWriter", "ToleratedFailureCount", "ToleratedFailurePercentage",
		"ToleratedFailureCountPath", "ToleratedFailurePercentagePath", "Label"} {
		if _, ok := o.get(f); ok && !distributed {
			p.schema(loc, "Field '%s' is only supported in DISTRIBUTED mode", f)
		}
	}
	if s.QueryLanguage == JSONPath {
		s.ItemsPath = p.refPath(o, "ItemsPath", loc)
		s.MaxConcurrencyPath = p.refPath(o, "MaxConcurrencyPath", loc)
		s.ToleratedFailureCountPath = p.refPath(o, "ToleratedFailureCountPath", loc)
		s.ToleratedFailurePercentagePath = p.refPath(o, "ToleratedFailurePercentagePath", loc)
		sel, hasSel := p.template(o, "ItemSelector", loc)
		if params, hasParams := p.template(o, "Parameters", loc); hasParams {
			if hasSel {
				p.schema(loc, "Only one of these fields may be present: [ItemSelector, Parameters]")
			}
			sel, hasSel = params, true
			s.Parameters, s.HasParameters = nil, false
		}
		s.ItemSelector, s.HasItemSelector = sel, hasSel
	} else {
		s.Items, s.HasItems = plainField(o, "Items")
		s.ItemSelector, s.HasItemSelector = plainField(o, "ItemSelector")
	}
	if _, ok := o.get("MaxConcurrency"); ok {
		s.MaxConcurrency = p.nonNegInt(o, "MaxConcurrency", loc, 0)
	}
	if _, ok := o.get("ToleratedFailureCount"); ok {
		n := p.nonNegInt(o, "ToleratedFailureCount", loc, 0)
		s.ToleratedFailureCount = &n
	}
	if v, ok := o.get("ToleratedFailurePercentage"); ok {
		f, err := number(v)
		if err != nil || f < 0 || f > 100 {
			p.schema(at(loc, "ToleratedFailurePercentage"), "The value for the field 'ToleratedFailurePercentage' must be a number between 0 and 100")
		}
		s.ToleratedFailurePercentage = &f
	}
	s.Label = p.str(o, "Label", loc)
	if len(s.Label) > 40 || strings.ContainsAny(s.Label, " <>{}[]?*\"#%\\^|~`$&,;:/\t\n\r") {
		p.schema(at(loc, "Label"), "The value for the field 'Label' must be at most 40 characters of letters, digits and _-.")
	}
	for _, f := range []string{"ItemReader", "ItemBatcher", "ResultWriter"} {
		v, ok := o.get(f)
		if !ok {
			continue
		}
		m, isObj := plain(v).(map[string]any)
		if !isObj {
			p.schema(at(loc, f), "The value for the field '%s' must be an OBJECT", f)
			continue
		}
		switch f {
		case "ItemReader":
			s.ItemReader = m
		case "ItemBatcher":
			s.ItemBatcher = m
		case "ResultWriter":
			s.ResultWriter = m
		}
	}
}

func (p *parser) processorConfig(s *State, v any, loc string) {
	c, isObj := v.(*object)
	if !isObj {
		p.schema(loc, "The value for the field 'ProcessorConfig' must be an OBJECT")
		return
	}
	p.unsupported(c, loc, []string{"Mode", "ExecutionType"})
	if m, ok := c.get("Mode"); ok {
		mode, _ := m.(string)
		if mode != "INLINE" && mode != "DISTRIBUTED" {
			p.schema(at(loc, "Mode"), "The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]")
		}
		s.ProcessorMode = mode
	}
	if e, ok := c.get("ExecutionType"); ok {
		et, _ := e.(string)
		if et != "STANDARD" && et != "EXPRESS" {
			p.schema(at(loc, "ExecutionType"), "The field 'ExecutionType' should have one of these values: [STANDARD, EXPRESS]")
		}
		s.ExecutionType = et
	}
	if s.ProcessorMode == "DISTRIBUTED" && s.ExecutionType == "" {
		p.schema(loc, "These fields are required: [ExecutionType]")
	}
}

// comparison operators, by the type of their operand.
var (
	stringOps    = []string{"StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals", "StringGreaterThanEquals", "StringMatches"}
	numericOps   = []string{"NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals", "NumericGreaterThanEquals"}
	booleanOps   = []string{"BooleanEquals"}
	timestampOps = []string{"TimestampEquals", "TimestampLessThan", "TimestampGreaterThan", "TimestampLessThanEquals", "TimestampGreaterThanEquals"}
	isOps        = []string{"IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"}
)

// isOperator reports whether name is a comparison operator, and of which
// kind: "string", "numeric", "boolean", "timestamp", "is" or "path".
func operatorKind(name string) string {
	if base, ok := strings.CutSuffix(name, "Path"); ok && base != "" && name != "StringMatchesPath" {
		if operatorKind(base) != "" && operatorKind(base) != "is" {
			return "path"
		}
	}
	switch {
	case slices.Contains(stringOps, name):
		return "string"
	case slices.Contains(numericOps, name):
		return "numeric"
	case slices.Contains(booleanOps, name):
		return "boolean"
	case slices.Contains(timestampOps, name):
		return "timestamp"
	case slices.Contains(isOps, name):
		return "is"
	}
	return ""
}

func (p *parser) choice(s *State, o *object, loc string) {
	v, ok := o.get("Choices")
	if !ok {
		p.schema(loc, "These fields are required: [Choices]")
		return
	}
	rules, isArr := v.([]any)
	if !isArr {
		p.schema(at(loc, "Choices"), "The value for the field 'Choices' must be an ARRAY")
		return
	}
	if len(rules) == 0 {
		p.schema(at(loc, "Choices"), "Value cannot be empty")
	}
	for i, r := range rules {
		s.Choices = append(s.Choices, p.rule(r, fmt.Sprintf("%s/Choices[%d]", loc, i), s.QueryLanguage, true))
	}
	s.Default = p.str(o, "Default", loc)
}

func (p *parser) rule(v any, loc, ql string, top bool) *ChoiceRule {
	r := &ChoiceRule{}
	o, isObj := v.(*object)
	if !isObj {
		p.schema(loc, "The value for the field 'Choices' must be an ARRAY of OBJECT")
		return r
	}
	var allowed []string
	if top {
		allowed = append(allowed, "Next", "Comment", "Assign")
		if _, ok := o.get("Next"); !ok {
			p.schema(loc, "These fields are required: [Next]")
		}
		r.Next = p.str(o, "Next", loc)
		r.Comment = p.str(o, "Comment", loc)
		r.Assign, r.HasAssign = p.assign(o, loc)
	}
	if ql == JSONata {
		if top {
			allowed = append(allowed, "Output")
			r.Output, r.HasOutput = plainField(o, "Output")
		}
		p.unsupported(o, loc, append(allowed, "Condition"))
		c, ok := o.get("Condition")
		cs, isStr := c.(string)
		switch b, isBool := c.(bool); {
		case !ok:
			p.schema(loc, "These fields are required: [Condition]")
		case isBool:
			// AWS accepts a constant (LocalStack's AWS-recorded
			// test_choice_condition_constant_jsonata).
			cs = fmt.Sprintf("{%% %t %%}", b)
		case !isStr:
			p.schema(at(loc, "Condition"), "The value for the field 'Condition' must be a STRING")
		}
		r.Condition = cs
		return r
	}
	var ops []string
	for _, k := range o.keys {
		switch {
		case k == "And" || k == "Or" || k == "Not":
			ops = append(ops, k)
		case operatorKind(k) != "":
			ops = append(ops, k)
		case k == "Variable":
		case !slices.Contains(allowed, k):
			p.schema(loc, "Field '%s' is not supported", k)
		}
	}
	if len(ops) != 1 {
		p.schema(loc, "A choice rule must have exactly one comparison operator or And, Or, Not")
		return r
	}
	op := ops[0]
	switch op {
	case "And", "Or":
		list, isArr := o.vals[op].([]any)
		if !isArr || len(list) == 0 {
			p.schema(at(loc, op), "The value for the field '%s' must be a non-empty ARRAY", op)
			return r
		}
		for i, e := range list {
			sub := p.rule(e, fmt.Sprintf("%s/%s[%d]", loc, op, i), ql, false)
			if op == "And" {
				r.And = append(r.And, sub)
			} else {
				r.Or = append(r.Or, sub)
			}
		}
		return r
	case "Not":
		r.Not = p.rule(o.vals[op], at(loc, "Not"), ql, false)
		return r
	}
	vv, hasVar := o.get("Variable")
	if !hasVar {
		p.schema(loc, "These fields are required: [Variable]")
	} else if vs, isStr := vv.(string); !isStr || checkPath(vs, false) != nil {
		p.schema(at(loc, "Variable"), "The value for the field 'Variable' must be a valid JSONPath")
	} else {
		r.Variable = vs
	}
	r.Operator = op
	r.Operand = plain(o.vals[op])
	oloc := at(loc, op)
	switch operatorKind(op) {
	case "string":
		if _, ok := r.Operand.(string); !ok {
			p.schema(oloc, "The value for the field '%s' must be a STRING", op)
		}
	case "numeric":
		if _, ok := r.Operand.(json.Number); !ok {
			p.schema(oloc, "The value for the field '%s' must be a NUMBER", op)
		}
	case "boolean", "is":
		if _, ok := r.Operand.(bool); !ok {
			p.schema(oloc, "The value for the field '%s' must be a BOOLEAN", op)
		}
	case "timestamp":
		if ts, ok := r.Operand.(string); !ok || !validTimestamp(ts) {
			p.schema(oloc, "String does not match RFC3339 timestamp")
		}
	case "path":
		if ps, ok := r.Operand.(string); !ok || checkPath(ps, false) != nil {
			p.schema(oloc, "The value for the field '%s' must be a valid JSONPath", op)
		}
	}
	return r
}

func (p *parser) retriers(o *object, loc string) []*Retrier {
	v, ok := o.get("Retry")
	if !ok {
		return nil
	}
	list, isArr := v.([]any)
	if !isArr {
		p.schema(at(loc, "Retry"), "The value for the field 'Retry' must be an ARRAY")
		return nil
	}
	var out []*Retrier
	for i, e := range list {
		rloc := fmt.Sprintf("%s/Retry[%d]", loc, i)
		ro, isObj := e.(*object)
		if !isObj {
			p.schema(rloc, "The value for the field 'Retry' must be an ARRAY of OBJECT")
			continue
		}
		p.unsupported(ro, rloc, []string{"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment"})
		r := &Retrier{IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2.0, JitterStrategy: "NONE"}
		r.ErrorEquals = p.errorEquals(ro, rloc, i == len(list)-1, "Retry")
		r.Comment = p.str(ro, "Comment", rloc)
		if _, ok := ro.get("IntervalSeconds"); ok {
			r.IntervalSeconds = p.nonNegInt(ro, "IntervalSeconds", rloc, 1)
		}
		if _, ok := ro.get("MaxAttempts"); ok {
			r.MaxAttempts = p.nonNegInt(ro, "MaxAttempts", rloc, 0)
		}
		if _, ok := ro.get("MaxDelaySeconds"); ok {
			r.MaxDelaySeconds = p.nonNegInt(ro, "MaxDelaySeconds", rloc, 1)
		}
		if bv, ok := ro.get("BackoffRate"); ok {
			f, err := number(bv)
			if err != nil || f < 1 {
				p.schema(at(rloc, "BackoffRate"), "The value for the field 'BackoffRate' must be a number greater than or equal to 1.0")
			}
			r.BackoffRate = f
		}
		if jv, ok := ro.get("JitterStrategy"); ok {
			js, _ := jv.(string)
			if js != "FULL" && js != "NONE" {
				p.schema(at(rloc, "JitterStrategy"), "The field 'JitterStrategy' should have one of these values: [FULL, NONE]")
			}
			r.JitterStrategy = js
		}
		out = append(out, r)
	}
	return out
}

func (p *parser) catchers(o *object, loc, ql string) []*Catcher {
	v, ok := o.get("Catch")
	if !ok {
		return nil
	}
	list, isArr := v.([]any)
	if !isArr {
		p.schema(at(loc, "Catch"), "The value for the field 'Catch' must be an ARRAY")
		return nil
	}
	var out []*Catcher
	for i, e := range list {
		cloc := fmt.Sprintf("%s/Catch[%d]", loc, i)
		co, isObj := e.(*object)
		if !isObj {
			p.schema(cloc, "The value for the field 'Catch' must be an ARRAY of OBJECT")
			continue
		}
		allowed := []string{"ErrorEquals", "Next", "Comment", "Assign"}
		if ql == JSONPath {
			allowed = append(allowed, "ResultPath")
		} else {
			allowed = append(allowed, "Output")
		}
		p.unsupported(co, cloc, allowed)
		c := &Catcher{}
		c.ErrorEquals = p.errorEquals(co, cloc, i == len(list)-1, "Catch")
		if _, ok := co.get("Next"); !ok {
			p.schema(cloc, "These fields are required: [Next]")
		}
		c.Next = p.str(co, "Next", cloc)
		c.Comment = p.str(co, "Comment", cloc)
		c.Assign, c.HasAssign = p.assign(co, cloc)
		if ql == JSONPath {
			c.ResultPath = p.nullablePath(co, "ResultPath", cloc, true)
		} else {
			c.Output, c.HasOutput = plainField(co, "Output")
		}
		out = append(out, c)
	}
	return out
}

// errorEquals reads a retrier's or catcher's ErrorEquals: a non-empty list of
// error names, where States.ALL stands alone in the last entry.
func (p *parser) errorEquals(o *object, loc string, last bool, field string) []string {
	v, ok := o.get("ErrorEquals")
	if !ok {
		p.schema(loc, "These fields are required: [ErrorEquals]")
		return nil
	}
	list, isArr := v.([]any)
	if !isArr || len(list) == 0 {
		p.schema(at(loc, "ErrorEquals"), "Value cannot be empty")
		return nil
	}
	var names []string
	for _, e := range list {
		s, isStr := e.(string)
		if !isStr {
			p.schema(at(loc, "ErrorEquals"), "The value for the field 'ErrorEquals' must be an ARRAY of STRING")
			return nil
		}
		names = append(names, s)
	}
	if slices.Contains(names, "States.ALL") && (len(names) > 1 || !last) {
		p.schema(at(loc, "ErrorEquals"), "States.ALL must appear alone in the last %s entry", field)
	}
	return names
}

// str reads an optional string field; a value of another type is reported.
func (p *parser) str(o *object, field, loc string) string {
	v, ok := o.get(field)
	if !ok {
		return ""
	}
	s, isStr := v.(string)
	if !isStr {
		p.schema(at(loc, field), "The value for the field '%s' must be a STRING", field)
	}
	return s
}

// nonNegInt reads a whole number field of at least lowest.
func (p *parser) nonNegInt(o *object, field, loc string, lowest int) int {
	v, _ := o.get(field)
	n, isNum := v.(json.Number)
	i, err := strconv.ParseInt(string(n), 10, 64)
	if !isNum || err != nil || i < int64(lowest) || i > math.MaxInt32 {
		p.schema(at(loc, field), "The value for the field '%s' must be an INTEGER of at least %d", field, lowest)
		return 0
	}
	return int(i)
}

func number(v any) (float64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("not a number")
	}
	return n.Float64()
}

func plainField(o *object, field string) (any, bool) {
	v, ok := o.get(field)
	if !ok {
		return nil, false
	}
	return plain(v), true
}

// nullablePath reads InputPath, OutputPath or ResultPath: null or a path
// (a reference path for ResultPath).
func (p *parser) nullablePath(o *object, field, loc string, reference bool) *Path {
	v, ok := o.get(field)
	if !ok {
		return nil
	}
	if v == nil {
		return &Path{Null: true}
	}
	s, isStr := v.(string)
	_, isVar := variablePath(s)
	if !isStr || checkPath(s, reference) != nil || field == "ResultPath" && isVar {
		p.schema(at(loc, field), "The value for the field '%s' must be a valid JSONPath", field)
		return nil
	}
	return &Path{Expr: s}
}

// refPath reads a field that holds a reference path (ItemsPath, SecondsPath, ...).
func (p *parser) refPath(o *object, field, loc string) string {
	v, ok := o.get(field)
	if !ok {
		return ""
	}
	s, isStr := v.(string)
	if !isStr || checkPath(s, true) != nil {
		p.schema(at(loc, field), "The value for the field '%s' must be a valid Reference Path", field)
		return ""
	}
	return s
}

// pathOrIntrinsic reads ErrorPath or CausePath: a path or an intrinsic function call.
func (p *parser) pathOrIntrinsic(o *object, field, loc string) string {
	v, ok := o.get(field)
	if !ok {
		return ""
	}
	s, isStr := v.(string)
	if !isStr || checkDynamic(s) != nil {
		p.schema(at(loc, field), "The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call", field)
		return ""
	}
	return s
}

// template reads a payload template (Parameters, ResultSelector,
// ItemSelector): every field whose name ends in ".$" must hold a path or an
// intrinsic function call.
func (p *parser) template(o *object, field, loc string) (any, bool) {
	v, ok := o.get(field)
	if !ok {
		return nil, false
	}
	p.checkTemplate(v, at(loc, field))
	return plain(v), true
}

func (p *parser) checkTemplate(v any, loc string) {
	switch x := v.(type) {
	case *object:
		for _, k := range x.keys {
			e := x.vals[k]
			if strings.HasSuffix(k, ".$") && len(k) > 2 {
				s, isStr := e.(string)
				if !isStr || checkDynamic(s) != nil {
					p.schema(loc, "The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call", k)
				}
				continue
			}
			p.checkTemplate(e, loc)
		}
	case []any:
		for _, e := range x {
			p.checkTemplate(e, loc)
		}
	}
}

// transitions checks a scope's targets, its terminal states and which of
// its states can be reached, then the nested scopes.
func (p *parser) transitions(def *Definition, loc string) {
	exists := func(name string) bool { _, ok := def.States[name]; return ok }
	missing := func(target, where string) {
		p.fail("MISSING_TRANSITION_TARGET", where, "Missing 'Next' target: %s", target)
	}
	if !exists(def.StartAt) {
		missing(def.StartAt, at(loc, "StartAt"))
	}
	terminal := false
	for _, name := range def.Order {
		s := def.States[name]
		sloc := at(at(loc, "States"), name)
		if s.Next != "" && !exists(s.Next) {
			missing(s.Next, at(sloc, "Next"))
		}
		for i, r := range s.Choices {
			if !exists(r.Next) {
				missing(r.Next, fmt.Sprintf("%s/Choices[%d]/Next", sloc, i))
			}
		}
		if s.Default != "" && !exists(s.Default) {
			missing(s.Default, at(sloc, "Default"))
		}
		for i, c := range s.Catch {
			if !exists(c.Next) {
				missing(c.Next, fmt.Sprintf("%s/Catch[%d]/Next", sloc, i))
			}
		}
		if s.End || s.Type == "Succeed" || s.Type == "Fail" {
			terminal = true
		}
	}
	if !terminal {
		// AWS reports this alone, without walking for unreachable states.
		p.fail("MISSING_END_STATE", "", "Workflow has no terminal state")
	} else {
		reached := map[string]bool{}
		var walk func(string)
		walk = func(name string) {
			s, ok := def.States[name]
			if !ok || reached[name] {
				return
			}
			reached[name] = true
			walk(s.Next)
			walk(s.Default)
			for _, r := range s.Choices {
				walk(r.Next)
			}
			for _, c := range s.Catch {
				walk(c.Next)
			}
		}
		walk(def.StartAt)
		for _, name := range def.Order {
			if !reached[name] {
				p.fail("MISSING_TRANSITION_TARGET", at(at(loc, "States"), name), "State \"%s\" is not reachable.", name)
			}
		}
	}
	for _, name := range def.Order {
		s := def.States[name]
		sloc := at(at(loc, "States"), name)
		for i, b := range s.Branches {
			p.transitions(b, fmt.Sprintf("%s/Branches[%d]", sloc, i))
		}
		if s.ItemProcessor != nil {
			p.transitions(s.ItemProcessor, at(sloc, "ItemProcessor"))
		}
	}
}

// duplicates reports state names used more than once anywhere in the state
// machine: they must be unique across branches and item processors too.
func (p *parser) duplicates(def *Definition, loc string, seen map[string]bool) {
	for _, name := range def.Order {
		sloc := at(at(loc, "States"), name)
		if seen[name] {
			p.fail("DUPLICATE_STATE_NAME", sloc, "Duplicate State name: %s", name)
		}
		seen[name] = true
		s := def.States[name]
		for i, b := range s.Branches {
			p.duplicates(b, fmt.Sprintf("%s/Branches[%d]", sloc, i), seen)
		}
		if s.ItemProcessor != nil {
			p.duplicates(s.ItemProcessor, at(sloc, "ItemProcessor"), seen)
		}
	}
}
