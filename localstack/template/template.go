package template

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Template is a parsed SAM or CloudFormation template. It is immutable and
// safe for concurrent use, so one Template can be deployed many times, in
// parallel tests too.
type Template struct {
	path       string // as given to Parse, for error messages
	dir        string // what CodeUri and DefinitionUri are relative to
	params     []*param
	conditions []string
	condNodes  map[string]*node
	mappings   *node
	resources  []*resource
	byID       map[string]*resource
	outputs    []output
}

type param struct {
	id  string
	n   *node
	typ string
}

type output struct {
	id        string
	n         *node
	value     *node
	condition string
}

// resource is one entry of Resources, with the SAM Globals merged in.
type resource struct {
	id        string
	typ       string
	n         *node
	props     *node // a map node, possibly empty
	kind      kindInfo
	known     bool
	condition string
	dependsOn []string
	metadata  *node
}

// ref is a reference found in a template: Ref or ${X} (attr "") or
// Fn::GetAtt or ${X.Attr}.
type ref struct {
	target, attr string
	property     string
	n            *node
}

var topLevel = []string{"AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings",
	"Conditions", "Transform", "Resources", "Outputs", "Globals"}

var resourceAttrs = []string{"Type", "Properties", "Metadata", "DependsOn", "Condition", "DeletionPolicy",
	"UpdateReplacePolicy", "UpdatePolicy", "CreationPolicy"}

// pseudo parameters, which Ref resolves without a resource or parameter.
var pseudo = []string{"AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::StackId", "AWS::Partition",
	"AWS::URLSuffix", "AWS::NoValue", "AWS::NotificationARNs"}

// Parse parses a SAM or CloudFormation template, YAML (with the short-form
// tags such as !Ref and !Sub) or JSON, from src, or from the file at path
// when src is nil, as [go/parser.ParseFile] does. CodeUri and DefinitionUri
// are relative to path's directory, as for sam build.
//
// Parse checks what needs no deployment: the syntax, the sections and
// resource attributes, the Globals, that every Ref, Fn::GetAtt and ${Name}
// names a parameter, resource or attribute, and that resources and
// conditions do not refer to each other in a circle. Errors are [*Error]
// values with the line and column.
func Parse(path string, src []byte) (*Template, error) {
	if src == nil {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, &Error{Path: path, Err: err}
		}
		src = b
	}
	t, err := parse(path, src)
	if err != nil {
		return nil, locate(err, path, "", "", nil)
	}
	return t, nil
}

func parse(path string, src []byte) (*Template, error) {
	root, err := parseYAML(src)
	if err != nil {
		return nil, err
	}
	if root.kind != kMap {
		return nil, errAt(root, ErrInvalid, "a template is a mapping of sections")
	}
	t := &Template{path: path, dir: filepath.Dir(path), byID: map[string]*resource{}, condNodes: map[string]*node{}}
	if path == "" {
		t.dir = "."
	}
	for i, k := range root.keys {
		if !slices.Contains(topLevel, k) {
			return nil, errAt(root.keyNodes[i], ErrInvalid, "unknown top-level section %q", k)
		}
	}
	if tr := root.get("Transform"); tr != nil {
		names := []*node{tr}
		if tr.kind == kSeq {
			names = tr.items
		}
		for _, n := range names {
			if s, _ := n.str(); s != "AWS::Serverless-2016-10-31" {
				return nil, &Error{Line: n.line, Column: n.col, Property: "Transform",
					Err: errorf(ErrUnsupported, "transform %q (only AWS::Serverless-2016-10-31 is applied)", s)}
			}
		}
	}
	if err := t.parseParameters(root.get("Parameters")); err != nil {
		return nil, err
	}
	if m := root.get("Mappings"); m != nil {
		if m.kind != kMap {
			return nil, &Error{Line: m.line, Column: m.col, Property: "Mappings", Err: errorf(ErrInvalid, "Mappings must be a mapping")}
		}
		t.mappings = m
	}
	if c := root.get("Conditions"); c != nil {
		if c.kind != kMap {
			return nil, &Error{Line: c.line, Column: c.col, Property: "Conditions", Err: errorf(ErrInvalid, "Conditions must be a mapping")}
		}
		for i, k := range c.keys {
			t.conditions = append(t.conditions, k)
			t.condNodes[k] = c.vals[i]
		}
	}
	globals, err := parseGlobals(root.get("Globals"))
	if err != nil {
		return nil, err
	}
	if err := t.parseResources(root.get("Resources"), globals); err != nil {
		return nil, err
	}
	if err := t.parseOutputs(root.get("Outputs")); err != nil {
		return nil, err
	}
	if err := t.check(); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Template) parseParameters(ps *node) error {
	if ps == nil {
		return nil
	}
	if ps.kind != kMap {
		return &Error{Line: ps.line, Column: ps.col, Property: "Parameters", Err: errorf(ErrInvalid, "Parameters must be a mapping")}
	}
	for i, id := range ps.keys {
		n := ps.vals[i]
		if n.kind != kMap {
			return &Error{Line: n.line, Column: n.col, LogicalID: id, Err: errorf(ErrInvalid, "a parameter must be a mapping")}
		}
		typ, ok := n.get("Type").str()
		if !ok {
			return &Error{Line: n.line, Column: n.col, LogicalID: id, Property: "Type", Err: errorf(ErrInvalid, "a parameter needs a Type")}
		}
		for _, k := range []string{"Default", "AllowedValues"} {
			if v := n.get(k); v != nil && hasFn(v) {
				return &Error{Line: v.line, Column: v.col, LogicalID: id, Property: k, Err: errorf(ErrInvalid, "a parameter's %s must be literal", k)}
			}
		}
		t.params = append(t.params, &param{id: id, n: n, typ: typ})
	}
	return nil
}

func hasFn(n *node) bool {
	if n == nil {
		return false
	}
	switch n.kind {
	case kFn:
		return true
	case kSeq:
		return slices.ContainsFunc(n.items, hasFn)
	case kMap:
		return slices.ContainsFunc(n.vals, hasFn)
	}
	return false
}

// parseGlobals returns the Globals sections by name.
func parseGlobals(g *node) (map[string]*node, error) {
	out := map[string]*node{}
	if g == nil {
		return out, nil
	}
	if g.kind != kMap {
		return nil, &Error{Line: g.line, Column: g.col, Property: "Globals", Err: errorf(ErrInvalid, "Globals must be a mapping")}
	}
	for i, k := range g.keys {
		switch k {
		case "Function", "SimpleTable", "StateMachine", "Api", "HttpApi", "CapacityProvider":
		default:
			return nil, &Error{Line: g.keyNodes[i].line, Column: g.keyNodes[i].col, Property: "Globals." + k,
				Err: errorf(ErrInvalid, "unknown Globals section %q", k)}
		}
		if g.vals[i].kind != kMap {
			return nil, &Error{Line: g.vals[i].line, Column: g.vals[i].col, Property: "Globals." + k,
				Err: errorf(ErrInvalid, "a Globals section must be a mapping")}
		}
		out[k] = g.vals[i]
	}
	return out, nil
}

func (t *Template) parseResources(rs *node, globals map[string]*node) error {
	if rs == nil || rs.kind != kMap || len(rs.keys) == 0 {
		n := rs
		if n == nil {
			n = &node{}
		}
		return &Error{Line: n.line, Column: n.col, Property: "Resources", Err: errorf(ErrInvalid, "a template needs at least one resource")}
	}
	for i, id := range rs.keys {
		n := rs.vals[i]
		if n.kind != kMap {
			return &Error{Line: n.line, Column: n.col, LogicalID: id, Err: errorf(ErrInvalid, "a resource must be a mapping")}
		}
		if slices.Contains(pseudo, id) || t.param(id) != nil {
			return &Error{Line: rs.keyNodes[i].line, Column: rs.keyNodes[i].col, LogicalID: id,
				Err: errorf(ErrInvalid, "logical ID %q is also a parameter", id)}
		}
		for j, k := range n.keys {
			if !slices.Contains(resourceAttrs, k) {
				return &Error{Line: n.keyNodes[j].line, Column: n.keyNodes[j].col, LogicalID: id, Property: k,
					Err: errorf(ErrInvalid, "unknown resource attribute %q", k)}
			}
		}
		typ, ok := n.get("Type").str()
		if !ok {
			return &Error{Line: n.line, Column: n.col, LogicalID: id, Property: "Type", Err: errorf(ErrInvalid, "a resource needs a literal Type")}
		}
		r := &resource{id: id, typ: typ, n: n, metadata: n.get("Metadata")}
		r.kind, r.known = kindOf(typ)
		props := n.get("Properties")
		if props == nil {
			props = &node{kind: kMap, line: n.line, col: n.col}
		}
		if props.kind != kMap {
			return &Error{Line: props.line, Column: props.col, LogicalID: id, Property: "Properties", Err: errorf(ErrInvalid, "Properties must be a mapping")}
		}
		if g := globals[r.kind.global]; g != nil {
			props = merge(g, props)
		}
		r.props = props
		if c := n.get("Condition"); c != nil {
			s, ok := c.str()
			if !ok {
				return &Error{Line: c.line, Column: c.col, LogicalID: id, Property: "Condition", Err: errorf(ErrInvalid, "Condition must name a condition")}
			}
			r.condition = s
		}
		if d := n.get("DependsOn"); d != nil {
			deps := []*node{d}
			if d.kind == kSeq {
				deps = d.items
			}
			for _, dn := range deps {
				s, ok := dn.str()
				if !ok {
					return &Error{Line: dn.line, Column: dn.col, LogicalID: id, Property: "DependsOn", Err: errorf(ErrInvalid, "DependsOn lists logical IDs")}
				}
				r.dependsOn = append(r.dependsOn, s)
			}
		}
		t.resources = append(t.resources, r)
		t.byID[id] = r
	}
	return nil
}

func (t *Template) parseOutputs(os *node) error {
	if os == nil {
		return nil
	}
	if os.kind != kMap {
		return &Error{Line: os.line, Column: os.col, Property: "Outputs", Err: errorf(ErrInvalid, "Outputs must be a mapping")}
	}
	for i, id := range os.keys {
		n := os.vals[i]
		v := n.get("Value")
		if n.kind != kMap || v == nil {
			return &Error{Line: n.line, Column: n.col, LogicalID: id, Property: "Value", Err: errorf(ErrInvalid, "an output needs a Value")}
		}
		o := output{id: id, n: n, value: v}
		if c := n.get("Condition"); c != nil {
			o.condition, _ = c.str()
		}
		t.outputs = append(t.outputs, o)
	}
	return nil
}

func (t *Template) param(id string) *param {
	for _, p := range t.params {
		if p.id == id {
			return p
		}
	}
	return nil
}

// check verifies the references of the whole template and looks for cycles.
func (t *Template) check() error {
	for _, c := range t.conditions {
		if err := t.checkConditionRefs(c, t.condNodes[c]); err != nil {
			return err
		}
	}
	if err := t.conditionCycles(); err != nil {
		return err
	}
	for _, r := range t.resources {
		if r.condition != "" && t.condNodes[r.condition] == nil {
			return &Error{Line: r.n.get("Condition").line, Column: r.n.get("Condition").col, LogicalID: r.id, Property: "Condition",
				Err: errorf(ErrUnresolved, "no condition %q", r.condition)}
		}
		refs, err := t.resourceRefs(r)
		if err != nil {
			return locate(err, "", r.id, "", nil)
		}
		for _, rf := range refs {
			if err := t.checkRef(rf); err != nil {
				return locate(err, "", r.id, rf.property, rf.n)
			}
		}
	}
	for _, o := range t.outputs {
		if o.condition != "" && t.condNodes[o.condition] == nil {
			return &Error{Line: o.n.line, Column: o.n.col, LogicalID: o.id, Property: "Condition", Err: errorf(ErrUnresolved, "no condition %q", o.condition)}
		}
		refs, err := scanRefs(o.value, "Value", nil)
		if err != nil {
			return locate(err, "", o.id, "Value", nil)
		}
		for _, rf := range refs {
			if err := t.checkRef(rf); err != nil {
				return locate(err, "", o.id, rf.property, rf.n)
			}
		}
	}
	_, err := t.order(t.resources)
	return err
}

func (t *Template) checkRef(rf ref) error {
	if rf.attr == "" && (slices.Contains(pseudo, rf.target) || t.param(rf.target) != nil) {
		return nil
	}
	r := t.byID[rf.target]
	if r == nil {
		what := "parameter or resource"
		if rf.attr != "" {
			what = "resource"
		}
		return errAt(rf.n, ErrUnresolved, "no %s named %q", what, rf.target)
	}
	if rf.attr != "" && r.known && !r.kind.hasAttr(rf.attr) {
		return errAt(rf.n, ErrUnresolved, "%s (%s) has no attribute %q; it has %s", rf.target, r.typ, rf.attr, strings.Join(r.kind.attrs, ", "))
	}
	return nil
}

// resourceRefs returns the references in the properties r uses, and its
// DependsOn; properties ignored by design are not looked at, so a Policies
// entry naming a resource does not make it a dependency.
func (t *Template) resourceRefs(r *resource) ([]ref, error) {
	var refs []ref
	for _, d := range r.dependsOn {
		refs = append(refs, ref{target: d, property: "DependsOn", n: r.n.get("DependsOn")})
	}
	if !r.known {
		return refs, nil
	}
	for i, k := range r.props.keys {
		if !r.kind.uses(k) {
			continue
		}
		v := r.props.vals[i]
		if k == "Events" {
			// Only SQS events are deployed; the others are reported as
			// unsupported, and what they refer to does not matter.
			for j, name := range eventNames(v) {
				ev := v.vals[j]
				if typ, _ := ev.get("Type").str(); typ != "SQS" {
					continue
				}
				more, err := scanRefs(ev, "Events."+name, nil)
				if err != nil {
					return nil, err
				}
				refs = append(refs, more...)
			}
			continue
		}
		more, err := scanRefs(v, k, nil)
		if err != nil {
			return nil, err
		}
		refs = append(refs, more...)
	}
	return refs, nil
}

func eventNames(n *node) []string {
	if n == nil || n.kind != kMap {
		return nil
	}
	return n.keys
}

// deps returns the references of r to resources, once per resource.
func (t *Template) deps(r *resource) []ref {
	refs, _ := t.resourceRefs(r)
	var out []ref
	seen := map[string]bool{}
	for _, rf := range refs {
		if t.byID[rf.target] != nil && !seen[rf.target] {
			seen[rf.target] = true
			out = append(out, rf)
		}
	}
	return out
}

// order sorts rs so that each resource comes after those it refers to, and
// reports a cycle as an *Error naming the first resource on it.
func (t *Template) order(rs []*resource) ([]*resource, error) {
	in := map[string]bool{}
	for _, r := range rs {
		in[r.id] = true
	}
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var out []*resource
	var stack []string
	var visit func(r *resource) error
	visit = func(r *resource) error {
		color[r.id] = grey
		stack = append(stack, r.id)
		for _, rf := range t.deps(r) {
			if !in[rf.target] {
				continue
			}
			switch color[rf.target] {
			case grey:
				i := slices.Index(stack, rf.target)
				cycle := append(slices.Clone(stack[i:]), rf.target)
				return &Error{Line: rf.n.line, Column: rf.n.col, LogicalID: r.id, Property: rf.property,
					Err: errorf(ErrCycle, "%s", strings.Join(cycle, " -> "))}
			case white:
				if err := visit(t.byID[rf.target]); err != nil {
					return err
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[r.id] = black
		out = append(out, r)
		return nil
	}
	for _, r := range rs {
		if color[r.id] == white {
			if err := visit(r); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// scanRefs returns the references in n. vars are the names a Fn::Sub's
// variable map defines, which are not references.
func scanRefs(n *node, property string, vars map[string]bool) ([]ref, error) {
	var out []ref
	var walk func(n *node, prop string, vars map[string]bool) error
	walk = func(n *node, prop string, vars map[string]bool) error {
		if n == nil {
			return nil
		}
		switch n.kind {
		case kSeq:
			for _, c := range n.items {
				if err := walk(c, prop, vars); err != nil {
					return err
				}
			}
		case kMap:
			for i, c := range n.vals {
				if err := walk(c, prop+"."+n.keys[i], vars); err != nil {
					return err
				}
			}
		case kFn:
			switch n.fn {
			case "Ref":
				s, ok := n.arg.str()
				if !ok {
					return errAt(n, ErrInvalid, "Ref takes a logical ID or parameter name")
				}
				out = append(out, ref{target: s, property: prop, n: n})
			case "Fn::GetAtt":
				id, attr, err := getAttArgs(n)
				if err != nil {
					return err
				}
				out = append(out, ref{target: id, attr: attr, property: prop, n: n})
			case "Fn::Sub":
				str, vmap, err := subArgs(n)
				if err != nil {
					return err
				}
				local := map[string]bool{}
				for k := range vars {
					local[k] = true
				}
				if vmap != nil {
					for i, k := range vmap.keys {
						local[k] = true
						if err := walk(vmap.vals[i], prop, vars); err != nil {
							return err
						}
					}
				}
				names, err := subNames(str, n)
				if err != nil {
					return err
				}
				for _, name := range names {
					if local[name] {
						continue
					}
					id, attr, _ := strings.Cut(name, ".")
					out = append(out, ref{target: id, attr: attr, property: prop, n: n})
				}
			default:
				return walk(n.arg, prop, vars)
			}
		}
		return nil
	}
	err := walk(n, property, vars)
	return out, err
}

// getAttArgs returns the logical ID and attribute of a Fn::GetAtt, in
// either form: "A.B" or [A, B]. An attribute given by an intrinsic is "*".
func getAttArgs(n *node) (string, string, error) {
	if s, ok := n.arg.str(); ok {
		id, attr, found := strings.Cut(s, ".")
		if !found || id == "" || attr == "" {
			return "", "", errAt(n, ErrInvalid, "Fn::GetAtt %q is not LogicalID.Attribute", s)
		}
		return id, attr, nil
	}
	if n.arg.kind == kSeq && len(n.arg.items) == 2 {
		id, ok := n.arg.items[0].str()
		if !ok {
			return "", "", errAt(n, ErrInvalid, "Fn::GetAtt takes a literal logical ID")
		}
		attr, ok := n.arg.items[1].str()
		if !ok {
			return "", "", errAt(n, ErrUnsupported, "Fn::GetAtt with a computed attribute name")
		}
		return id, attr, nil
	}
	return "", "", errAt(n, ErrInvalid, "Fn::GetAtt takes [LogicalID, Attribute] or \"LogicalID.Attribute\"")
}

// subArgs returns a Fn::Sub's string and variable map (nil when absent).
func subArgs(n *node) (string, *node, error) {
	if s, ok := n.arg.str(); ok {
		return s, nil, nil
	}
	if n.arg.kind == kSeq && len(n.arg.items) == 2 {
		s, ok := n.arg.items[0].str()
		if ok && n.arg.items[1].kind == kMap {
			return s, n.arg.items[1], nil
		}
	}
	return "", nil, errAt(n, ErrInvalid, "Fn::Sub takes a string or [string, {variables}]")
}

// subNames returns the ${Name} placeholders of a Fn::Sub string, skipping
// the ${!Literal} escapes.
func subNames(s string, n *node) ([]string, error) {
	var names []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return names, nil
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return nil, errAt(n, ErrInvalid, "Fn::Sub: unterminated ${ in %q", s)
		}
		name := strings.TrimSpace(s[i+2 : i+j])
		if !strings.HasPrefix(name, "!") {
			if name == "" {
				return nil, errAt(n, ErrInvalid, "Fn::Sub: empty ${}")
			}
			names = append(names, name)
		}
		s = s[i+j+1:]
	}
}

func (t *Template) checkConditionRefs(id string, n *node) error {
	refs, err := scanRefs(n, "", nil)
	if err != nil {
		return locate(err, "", id, "", nil)
	}
	for _, rf := range refs {
		if rf.attr != "" || t.byID[rf.target] != nil {
			return &Error{Line: rf.n.line, Column: rf.n.col, LogicalID: id, Err: errorf(ErrInvalid, "a condition can refer to parameters only, not to %s", rf.target)}
		}
		if err := t.checkRef(rf); err != nil {
			return locate(err, "", id, "", rf.n)
		}
	}
	return nil
}

// conditionCycles reports conditions that refer to each other in a circle.
func (t *Template) conditionCycles() error {
	state := map[string]int{}
	var visit func(id string, path []string) error
	visit = func(id string, path []string) error {
		state[id] = 1
		for _, c := range conditionNames(t.condNodes[id]) {
			if t.condNodes[c.val] == nil {
				return &Error{Line: c.line, Column: c.col, LogicalID: id, Err: errorf(ErrUnresolved, "no condition %q", c.val)}
			}
			switch state[c.val] {
			case 1:
				return &Error{Line: c.line, Column: c.col, LogicalID: id, Err: errorf(ErrCycle, "%s", strings.Join(append(path, id, c.val), " -> "))}
			case 0:
				if err := visit(c.val, append(path, id)); err != nil {
					return err
				}
			}
		}
		state[id] = 2
		return nil
	}
	for _, id := range t.conditions {
		if state[id] == 0 {
			if err := visit(id, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// conditionNames returns the condition names a condition refers to, with
// Condition or as the first argument of Fn::If.
func conditionNames(n *node) []*node {
	var out []*node
	var walk func(n *node)
	walk = func(n *node) {
		if n == nil {
			return
		}
		switch n.kind {
		case kFn:
			if n.fn == "Condition" {
				out = append(out, n.arg)
				return
			}
			if n.fn == "Fn::If" && n.arg.kind == kSeq && len(n.arg.items) > 0 {
				out = append(out, n.arg.items[0])
			}
			walk(n.arg)
		case kSeq:
			for _, c := range n.items {
				walk(c)
			}
		case kMap:
			if len(n.keys) == 1 && n.keys[0] == "Condition" {
				out = append(out, n.vals[0])
				return
			}
			for _, c := range n.vals {
				walk(c)
			}
		}
	}
	walk(n)
	return out
}
