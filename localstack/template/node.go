package template

import (
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// nodeKind is what a template node holds.
type nodeKind int

const (
	kScalar nodeKind = iota
	kSeq
	kMap
	kFn // an intrinsic function, long (Fn::Sub: ...) or short (!Sub ...) form
)

// node is a template value with its position: yaml.v3's nodes with
// CloudFormation's intrinsic functions recognised, in both forms.
type node struct {
	kind      nodeKind
	tag       string // a scalar's resolved YAML tag: !!str, !!int, !!float, !!bool, !!null
	val       string
	items     []*node
	keys      []string
	vals      []*node
	keyNodes  []*node // positions of the keys
	fn        string  // Ref, Condition or Fn::X
	arg       *node
	line, col int
}

func (n *node) get(key string) *node {
	if n == nil || n.kind != kMap {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// str returns a literal scalar's text, and whether n is one.
func (n *node) str() (string, bool) {
	if n == nil || n.kind != kScalar || n.tag == "!!null" {
		return "", false
	}
	return n.val, true
}

// shortTags maps CloudFormation's YAML short forms to their functions.
func shortTag(tag string) (string, bool) {
	switch tag {
	case "!Ref":
		return "Ref", true
	case "!Condition":
		return "Condition", true
	case "!Sub", "!GetAtt", "!If", "!Join", "!Select", "!Split", "!Equals", "!Not", "!And", "!Or",
		"!ImportValue", "!GetAZs", "!Base64", "!FindInMap", "!Cidr", "!Transform", "!Length", "!ToJsonString":
		return "Fn::" + tag[1:], true
	}
	return "", false
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// parseYAML parses a template in YAML or JSON into nodes.
func parseYAML(src []byte) (*node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		e := &Error{Err: errorf(ErrInvalid, "%s", strings.TrimPrefix(err.Error(), "yaml: "))}
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
		}
		return nil, e
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &Error{Err: errorf(ErrInvalid, "empty template")}
	}
	return convert(doc.Content[0], 0)
}

func convert(y *yaml.Node, depth int) (*node, error) {
	if depth > 200 {
		return nil, errAt(&node{line: y.Line, col: y.Column}, ErrInvalid, "template nested too deeply")
	}
	if y.Kind == yaml.AliasNode {
		return convert(y.Alias, depth+1)
	}
	n := &node{line: y.Line, col: y.Column}
	var fn string
	if strings.HasPrefix(y.Tag, "!") && !strings.HasPrefix(y.Tag, "!!") {
		f, ok := shortTag(y.Tag)
		if !ok {
			return nil, errAt(n, ErrInvalid, "unknown tag %s", y.Tag)
		}
		fn = f
	}
	switch y.Kind {
	case yaml.ScalarNode:
		n.kind, n.val = kScalar, y.Value
		n.tag = y.ShortTag()
		if fn != "" {
			n.tag = "!!str"
		}
	case yaml.SequenceNode:
		n.kind = kSeq
		for _, c := range y.Content {
			cn, err := convert(c, depth+1)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, cn)
		}
	case yaml.MappingNode:
		n.kind = kMap
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Value == "<<" {
				return nil, errAt(&node{line: k.Line, col: k.Column}, ErrInvalid, "YAML merge keys are not supported")
			}
			if n.get(k.Value) != nil {
				return nil, errAt(&node{line: k.Line, col: k.Column}, ErrInvalid, "duplicate key %q", k.Value)
			}
			cv, err := convert(v, depth+1)
			if err != nil {
				return nil, err
			}
			n.keys = append(n.keys, k.Value)
			n.vals = append(n.vals, cv)
			n.keyNodes = append(n.keyNodes, &node{kind: kScalar, tag: "!!str", val: k.Value, line: k.Line, col: k.Column})
		}
		if fn == "" && len(n.keys) == 1 && (n.keys[0] == "Ref" || strings.HasPrefix(n.keys[0], "Fn::")) {
			return &node{kind: kFn, fn: n.keys[0], arg: n.vals[0], line: n.line, col: n.col}, nil
		}
	default:
		return nil, errAt(n, ErrInvalid, "unexpected YAML node")
	}
	if fn != "" {
		return &node{kind: kFn, fn: fn, arg: n, line: n.line, col: n.col}, nil
	}
	return n, nil
}

// merge applies SAM's Globals rules to a resource's properties: a
// resource's scalar (or intrinsic) wins, maps are merged key by key,
// lists are concatenated with the global entries first.
func merge(global, local *node) *node {
	switch {
	case local == nil:
		return global
	case global == nil:
		return local
	case global.kind == kMap && local.kind == kMap:
		out := &node{kind: kMap, line: local.line, col: local.col}
		for i, k := range global.keys {
			out.keys = append(out.keys, k)
			out.vals = append(out.vals, merge(global.vals[i], local.get(k)))
			out.keyNodes = append(out.keyNodes, global.keyNodes[i])
		}
		for i, k := range local.keys {
			if global.get(k) == nil {
				out.keys = append(out.keys, k)
				out.vals = append(out.vals, local.vals[i])
				out.keyNodes = append(out.keyNodes, local.keyNodes[i])
			}
		}
		return out
	case global.kind == kSeq && local.kind == kSeq:
		out := &node{kind: kSeq, line: local.line, col: local.col}
		out.items = append(append(out.items, global.items...), local.items...)
		return out
	}
	return local
}
