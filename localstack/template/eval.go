package template

import (
	"encoding/base64"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// noValue is what Ref AWS::NoValue evaluates to: the property, or list
// entry, is removed.
type noValue struct{}

// scope evaluates intrinsic functions for one deployment.
type scope struct {
	t         *Template
	region    string
	account   string
	stack     string
	partition string
	urlSuffix string
	params    map[string]any // string, or []any of strings for list types
	conds     map[string]bool
	// lookup returns the deployed (or, while planning, predicted) resource.
	lookup func(id string) (*Resource, error)
}

func newScope(t *Template, region, account, stack string) *scope {
	s := &scope{t: t, region: region, account: account, stack: stack, partition: "aws", urlSuffix: "amazonaws.com"}
	switch {
	case strings.HasPrefix(region, "cn-"):
		s.partition, s.urlSuffix = "aws-cn", "amazonaws.com.cn"
	case strings.HasPrefix(region, "us-gov-"):
		s.partition = "aws-us-gov"
	}
	return s
}

// resolveParams gives each parameter its value: the override, else the
// Default, checked against AllowedValues, AllowedPattern and the bounds.
func (s *scope) resolveParams(overrides map[string]string) error {
	s.params = map[string]any{}
	for id := range overrides {
		if s.t.param(id) == nil {
			return &Error{LogicalID: id, Err: errorf(ErrUnresolved, "WithParameter(%q): the template has no such parameter", id)}
		}
	}
	for _, p := range s.t.params {
		v, ok := overrides[p.id]
		at := p.n
		if !ok {
			d := p.n.get("Default")
			if d == nil {
				return &Error{Line: p.n.line, Column: p.n.col, LogicalID: p.id, Property: "Default",
					Err: errorf(ErrInvalid, "no value: the parameter has no Default and WithParameter gives none")}
			}
			at = d
			if d.kind == kSeq {
				var parts []string
				for _, it := range d.items {
					parts = append(parts, it.val)
				}
				v = strings.Join(parts, ",")
			} else if v, ok = d.str(); !ok {
				return &Error{Line: d.line, Column: d.col, LogicalID: p.id, Property: "Default", Err: errorf(ErrInvalid, "Default must be a string")}
			}
		}
		value, err := checkParam(p, v)
		if err != nil {
			return locate(err, "", p.id, "", at)
		}
		s.params[p.id] = value
	}
	return nil
}

func checkParam(p *param, v string) (any, error) {
	if strings.HasPrefix(p.typ, "AWS::SSM::Parameter") {
		return nil, &Error{Property: "Type", Err: errorf(ErrUnsupported, "parameter type %s (SSM parameters are not resolved locally)", p.typ)}
	}
	list := p.typ == "CommaDelimitedList" || strings.HasPrefix(p.typ, "List<")
	values := []string{v}
	if list {
		values = strings.Split(v, ",")
		for i := range values {
			values[i] = strings.TrimSpace(values[i])
		}
	}
	for _, one := range values {
		if err := checkParamValue(p, one); err != nil {
			return nil, err
		}
	}
	if list {
		out := make([]any, len(values))
		for i, x := range values {
			out[i] = x
		}
		return out, nil
	}
	return v, nil
}

func checkParamValue(p *param, v string) error {
	number := p.typ == "Number" || p.typ == "List<Number>"
	if number {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return &Error{Property: "Type", Err: errorf(ErrInvalid, "value %q is not a Number", v)}
		}
	}
	if av := p.n.get("AllowedValues"); av != nil {
		allowed := false
		var list []string
		for _, it := range av.items {
			list = append(list, it.val)
			if it.val == v || number && numEqual(it.val, v) {
				allowed = true
			}
		}
		if !allowed {
			return &Error{Line: av.line, Column: av.col, Property: "AllowedValues",
				Err: errorf(ErrInvalid, "value %q is not one of %s", v, strings.Join(list, ", "))}
		}
	}
	if ap, ok := p.n.get("AllowedPattern").str(); ok {
		re, err := regexp.Compile("^(?:" + ap + ")$")
		if err != nil {
			return &Error{Property: "AllowedPattern", Err: errorf(ErrInvalid, "%v", err)}
		}
		if !re.MatchString(v) {
			return &Error{Property: "AllowedPattern", Err: errorf(ErrInvalid, "value %q does not match %s", v, ap)}
		}
	}
	f, _ := strconv.ParseFloat(v, 64)
	for _, b := range []struct {
		key string
		bad func(lim float64) bool
	}{
		{"MinValue", func(l float64) bool { return number && f < l }},
		{"MaxValue", func(l float64) bool { return number && f > l }},
		{"MinLength", func(l float64) bool { return !number && float64(len(v)) < l }},
		{"MaxLength", func(l float64) bool { return !number && float64(len(v)) > l }},
	} {
		if s, ok := p.n.get(b.key).str(); ok {
			lim, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return &Error{Property: b.key, Err: errorf(ErrInvalid, "%s %q is not a number", b.key, s)}
			}
			if b.bad(lim) {
				return &Error{Property: b.key, Err: errorf(ErrInvalid, "value %q is outside %s %s", v, b.key, s)}
			}
		}
	}
	return nil
}

func numEqual(a, b string) bool {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	return err1 == nil && err2 == nil && x == y
}

// resolveConditions evaluates every condition once.
func (s *scope) resolveConditions() error {
	s.conds = map[string]bool{}
	for _, id := range s.t.conditions {
		if _, err := s.condition(id, s.t.condNodes[id]); err != nil {
			return locate(err, "", id, "", nil)
		}
	}
	return nil
}

func (s *scope) condition(id string, n *node) (bool, error) {
	if v, ok := s.conds[id]; ok {
		return v, nil
	}
	v, err := s.condExpr(n)
	if err != nil {
		return false, err
	}
	s.conds[id] = v
	return v, nil
}

func (s *scope) condExpr(n *node) (bool, error) {
	name := ""
	switch {
	case n.kind == kFn && n.fn == "Condition":
		name, _ = n.arg.str()
	case n.kind == kMap && len(n.keys) == 1 && n.keys[0] == "Condition":
		name, _ = n.vals[0].str()
	case n.kind == kFn:
		args := n.arg.items
		switch n.fn {
		case "Fn::Equals":
			if n.arg.kind != kSeq || len(args) != 2 {
				return false, errAt(n, ErrInvalid, "Fn::Equals takes two values")
			}
			a, err := s.evalString(args[0])
			if err != nil {
				return false, err
			}
			b, err := s.evalString(args[1])
			if err != nil {
				return false, err
			}
			return a == b, nil
		case "Fn::Not":
			if n.arg.kind != kSeq || len(args) != 1 {
				return false, errAt(n, ErrInvalid, "Fn::Not takes one condition")
			}
			v, err := s.condExpr(args[0])
			return !v, err
		case "Fn::And", "Fn::Or":
			if n.arg.kind != kSeq || len(args) < 2 || len(args) > 10 {
				return false, errAt(n, ErrInvalid, "%s takes 2 to 10 conditions", n.fn)
			}
			and := n.fn == "Fn::And"
			for _, a := range args {
				v, err := s.condExpr(a)
				if err != nil {
					return false, err
				}
				if v != and {
					return v, nil
				}
			}
			return and, nil
		}
	}
	if name != "" {
		c := s.t.condNodes[name]
		if c == nil {
			return false, errAt(n, ErrUnresolved, "no condition %q", name)
		}
		return s.condition(name, c)
	}
	v, err := s.eval(n)
	if err != nil {
		return false, err
	}
	if b, ok := v.(bool); ok {
		return b, nil
	}
	if str, ok := v.(string); ok && (str == "true" || str == "false") {
		return str == "true", nil
	}
	return false, errAt(n, ErrInvalid, "a condition is Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition")
}

func (s *scope) evalString(n *node) (string, error) {
	v, err := s.eval(n)
	if err != nil {
		return "", err
	}
	str, ok := scalarString(v)
	if !ok {
		return "", errAt(n, ErrInvalid, "expected a string, got %s", describe(v))
	}
	return str, nil
}

// scalarString formats a scalar the way CloudFormation passes it on.
func scalarString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	case noValue:
		return "AWS::NoValue"
	}
	return "a scalar"
}

// eval evaluates n: scalars become string, int64, float64, bool or nil;
// lists []any and mappings map[string]any, without AWS::NoValue entries.
func (s *scope) eval(n *node) (any, error) {
	switch n.kind {
	case kScalar:
		switch n.tag {
		case "!!null":
			return nil, nil
		case "!!bool":
			return strings.EqualFold(n.val, "true"), nil
		case "!!int":
			if i, err := strconv.ParseInt(n.val, 10, 64); err == nil {
				return i, nil
			}
		case "!!float":
			if f, err := strconv.ParseFloat(n.val, 64); err == nil {
				return f, nil
			}
		}
		return n.val, nil
	case kSeq:
		out := make([]any, 0, len(n.items))
		for _, it := range n.items {
			v, err := s.eval(it)
			if err != nil {
				return nil, err
			}
			if _, skip := v.(noValue); !skip {
				out = append(out, v)
			}
		}
		return out, nil
	case kMap:
		out := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			v, err := s.eval(n.vals[i])
			if err != nil {
				return nil, err
			}
			if _, skip := v.(noValue); !skip {
				out[k] = v
			}
		}
		return out, nil
	}
	return s.call(n)
}

func (s *scope) call(n *node) (any, error) {
	args := n.arg.items
	nargs := -1
	if n.arg.kind == kSeq {
		nargs = len(args)
	}
	switch n.fn {
	case "Ref":
		name, _ := n.arg.str()
		return s.ref(n, name)
	case "Fn::GetAtt":
		id, attr, err := getAttArgs(n)
		if err != nil {
			return nil, err
		}
		return s.getAtt(n, id, attr)
	case "Fn::Sub":
		return s.sub(n)
	case "Fn::Join":
		if nargs != 2 {
			return nil, errAt(n, ErrInvalid, "Fn::Join takes [delimiter, [values]]")
		}
		delim, err := s.evalString(args[0])
		if err != nil {
			return nil, err
		}
		list, err := s.evalList(args[1])
		if err != nil {
			return nil, err
		}
		parts := make([]string, len(list))
		for i, v := range list {
			str, ok := scalarString(v)
			if !ok {
				return nil, errAt(args[1], ErrInvalid, "Fn::Join: entry %d is %s, not a string", i, describe(v))
			}
			parts[i] = str
		}
		return strings.Join(parts, delim), nil
	case "Fn::Select":
		if nargs != 2 {
			return nil, errAt(n, ErrInvalid, "Fn::Select takes [index, [values]]")
		}
		is, err := s.evalString(args[0])
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(is)
		if err != nil {
			return nil, errAt(args[0], ErrInvalid, "Fn::Select: index %q is not an integer", is)
		}
		list, err := s.evalList(args[1])
		if err != nil {
			return nil, err
		}
		if i < 0 || i >= len(list) {
			return nil, errAt(n, ErrInvalid, "Fn::Select: index %d is out of range for %d values", i, len(list))
		}
		return list[i], nil
	case "Fn::Split":
		if nargs != 2 {
			return nil, errAt(n, ErrInvalid, "Fn::Split takes [delimiter, string]")
		}
		delim, err := s.evalString(args[0])
		if err != nil {
			return nil, err
		}
		str, err := s.evalString(args[1])
		if err != nil {
			return nil, err
		}
		var out []any
		for _, p := range strings.Split(str, delim) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::If":
		if nargs != 3 {
			return nil, errAt(n, ErrInvalid, "Fn::If takes [condition, value if true, value if false]")
		}
		name, ok := args[0].str()
		if !ok {
			return nil, errAt(args[0], ErrInvalid, "Fn::If takes a condition name")
		}
		c, known := s.conds[name]
		if !known {
			return nil, errAt(args[0], ErrUnresolved, "no condition %q", name)
		}
		if c {
			return s.eval(args[1])
		}
		return s.eval(args[2])
	case "Fn::Base64":
		str, err := s.evalString(n.arg)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(str)), nil
	case "Fn::FindInMap":
		if nargs != 3 {
			return nil, errAt(n, ErrInvalid, "Fn::FindInMap takes [map, top-level key, second-level key]")
		}
		keys := make([]string, 3)
		for i, a := range args {
			k, err := s.evalString(a)
			if err != nil {
				return nil, err
			}
			keys[i] = k
		}
		v := s.t.mappings.get(keys[0]).get(keys[1]).get(keys[2])
		if v == nil {
			return nil, errAt(n, ErrUnresolved, "Fn::FindInMap: no %s in Mappings", strings.Join(keys, "."))
		}
		return s.eval(v)
	case "Fn::ImportValue":
		return nil, errAt(n, ErrUnsupported, "Fn::ImportValue: a test bed deployment has no other stacks' exports; use a parameter")
	case "Fn::GetAZs":
		return nil, errAt(n, ErrUnsupported, "Fn::GetAZs: the test bed has no availability zones")
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition":
		return nil, errAt(n, ErrInvalid, "%s belongs in the Conditions section", n.fn)
	case "Fn::Cidr", "Fn::Transform", "Fn::Length", "Fn::ToJsonString", "Fn::ForEach", "Fn::GetStackOutput":
		return nil, errAt(n, ErrUnsupported, "%s", n.fn)
	}
	return nil, errAt(n, ErrInvalid, "unknown intrinsic function %s", n.fn)
}

func (s *scope) evalList(n *node) ([]any, error) {
	v, err := s.eval(n)
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok {
		return nil, errAt(n, ErrInvalid, "expected a list, got %s", describe(v))
	}
	return list, nil
}

func (s *scope) ref(n *node, name string) (any, error) {
	switch name {
	case "AWS::Region":
		return s.region, nil
	case "AWS::AccountId":
		return s.account, nil
	case "AWS::StackName":
		return s.stack, nil
	case "AWS::StackId":
		return "arn:" + s.partition + ":cloudformation:" + s.region + ":" + s.account + ":stack/" + s.stack + "/local", nil
	case "AWS::Partition":
		return s.partition, nil
	case "AWS::URLSuffix":
		return s.urlSuffix, nil
	case "AWS::NoValue":
		return noValue{}, nil
	case "AWS::NotificationARNs":
		return []any{}, nil
	}
	if v, ok := s.params[name]; ok {
		return v, nil
	}
	if s.t.byID[name] == nil {
		return nil, errAt(n, ErrUnresolved, "no parameter or resource named %q", name)
	}
	r, err := s.lookup(name)
	if err != nil {
		return nil, locate(err, "", "", "", n)
	}
	return r.Ref, nil
}

func (s *scope) getAtt(n *node, id, attr string) (any, error) {
	if s.t.byID[id] == nil {
		return nil, errAt(n, ErrUnresolved, "no resource named %q", id)
	}
	r, err := s.lookup(id)
	if err != nil {
		return nil, locate(err, "", "", "", n)
	}
	v, ok := r.Attributes[attr]
	if !ok || v == "" {
		return nil, errAt(n, ErrUnresolved, "%s (%s) has no attribute %s here", id, r.Type, attr)
	}
	return v, nil
}

func (s *scope) sub(n *node) (any, error) {
	str, vmap, err := subArgs(n)
	if err != nil {
		return nil, err
	}
	vars := map[string]string{}
	if vmap != nil {
		for i, k := range vmap.keys {
			v, err := s.evalString(vmap.vals[i])
			if err != nil {
				return nil, err
			}
			vars[k] = v
		}
	}
	var b strings.Builder
	for {
		i := strings.Index(str, "${")
		if i < 0 {
			b.WriteString(str)
			return b.String(), nil
		}
		j := strings.IndexByte(str[i:], '}')
		if j < 0 {
			return nil, errAt(n, ErrInvalid, "Fn::Sub: unterminated ${")
		}
		b.WriteString(str[:i])
		name := strings.TrimSpace(str[i+2 : i+j])
		str = str[i+j+1:]
		if lit, ok := strings.CutPrefix(name, "!"); ok {
			b.WriteString("${" + lit + "}")
			continue
		}
		if v, ok := vars[name]; ok {
			b.WriteString(v)
			continue
		}
		var v any
		if id, attr, dotted := strings.Cut(name, "."); dotted && s.t.byID[id] != nil {
			v, err = s.getAtt(n, id, attr)
		} else {
			v, err = s.ref(n, name)
		}
		if err != nil {
			return nil, err
		}
		vs, ok := scalarString(v)
		if !ok {
			return nil, errAt(n, ErrInvalid, "Fn::Sub: ${%s} is %s, not a string", name, describe(v))
		}
		b.WriteString(vs)
	}
}

// nodeAt returns the deepest literal node on path under n, for positions.
func nodeAt(n *node, path ...string) *node {
	for _, p := range path {
		c := n.get(p)
		if c == nil {
			return n
		}
		n = c
	}
	return n
}

// value is an evaluated property with the source node for positions.
type value struct {
	v    any
	n    *node
	path []string
	id   string
}

func (v value) err(sentinel error, format string, args ...any) *Error {
	e := errAt(v.n, sentinel, format, args...)
	e.LogicalID = v.id
	e.Property = strings.Join(v.path, ".")
	return e
}

func (v value) present() bool { return v.v != nil }

// field returns the entry key of a mapping value.
func (v value) field(key string) value {
	out := value{n: nodeAt(v.n, key), path: append(slices.Clone(v.path), key), id: v.id}
	if m, ok := v.v.(map[string]any); ok {
		out.v = m[key]
	}
	return out
}

func (v value) str() (string, error) {
	s, ok := scalarString(v.v)
	if !ok {
		return "", v.err(ErrInvalid, "must be a string, not %s", describe(v.v))
	}
	return s, nil
}

func (v value) int() (int, error) {
	switch x := v.v.(type) {
	case int64:
		return int(x), nil
	case float64:
		if x == math.Trunc(x) {
			return int(x), nil
		}
	case string:
		if i, err := strconv.Atoi(strings.TrimSpace(x)); err == nil {
			return i, nil
		}
	}
	return 0, v.err(ErrInvalid, "must be an integer, not %s %v", describe(v.v), v.v)
}

func (v value) bool() (bool, error) {
	switch x := v.v.(type) {
	case bool:
		return x, nil
	case string:
		if b, err := strconv.ParseBool(x); err == nil {
			return b, nil
		}
	}
	return false, v.err(ErrInvalid, "must be true or false, not %v", v.v)
}

func (v value) list() ([]value, error) {
	l, ok := v.v.([]any)
	if !ok {
		return nil, v.err(ErrInvalid, "must be a list, not %s", describe(v.v))
	}
	out := make([]value, len(l))
	for i, x := range l {
		n := v.n
		if v.n.kind == kSeq && i < len(v.n.items) {
			n = v.n.items[i]
		}
		out[i] = value{v: x, n: n, path: append(slices.Clone(v.path), strconv.Itoa(i)), id: v.id}
	}
	return out, nil
}

func (v value) mapping() (map[string]any, error) {
	m, ok := v.v.(map[string]any)
	if !ok {
		return nil, v.err(ErrInvalid, "must be a mapping, not %s", describe(v.v))
	}
	return m, nil
}

// strMap returns a mapping of strings, such as Environment.Variables.
func (v value) strMap() (map[string]string, error) {
	m, err := v.mapping()
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(m))
	for k := range m {
		s, err := v.field(k).str()
		if err != nil {
			return nil, err
		}
		out[k] = s
	}
	return out, nil
}
