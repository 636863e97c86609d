package jsonpath

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Set returns a copy of doc with value placed where the reference path
// points, as ResultPath does: "$" returns value itself; an existing field or
// array element is replaced; a missing field is added, with intermediate
// objects created as needed ("$.a.b" on {} gives {"a":{"b":value}}). doc is
// never modified: the objects and arrays along the path are copied and the
// rest is shared. Set fails with *SetError when the path is not a reference
// path, when it steps into something that is not an object (for a name) or
// an array (for an index), JSON null included, or when an index is out of
// range, negative ones included.
func (p *Path) Set(doc, value any) (any, error) {
	if !p.IsReference() {
		return nil, &SetError{Path: p.String(), Msg: "not a reference path"}
	}
	return p.set(doc, 1, value)
}

func (p *Path) set(node any, i int, value any) (any, error) {
	if i >= len(p.toks) {
		return value, nil
	}
	t := &p.toks[i]
	if t.kind == kIndex {
		a, ok := node.([]any)
		if !ok {
			return nil, p.setErr("%s is %s, not an array", p.before(i), describe(node))
		}
		idx := t.idx[0]
		if idx < 0 || idx >= len(a) {
			return nil, p.setErr("%s has no index %d (length %d)", p.before(i), idx, len(a))
		}
		v, err := p.set(a[idx], i+1, value)
		if err != nil {
			return nil, err
		}
		out := slices.Clone(a)
		out[idx] = v
		return out, nil
	}
	m, ok := node.(map[string]any)
	if !ok {
		return nil, p.setErr("%s is %s, not an object", p.before(i), describe(node))
	}
	name := t.names[0]
	child, exists := m[name]
	if !exists && i+1 < len(p.toks) {
		if p.toks[i+1].kind == kIndex {
			return nil, p.setErr("%s does not exist, and no array is created for an index", p.before(i+1))
		}
		child = map[string]any{}
	}
	v, err := p.set(child, i+1, value)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(m)+1)
	for k, x := range m {
		out[k] = x
	}
	out[name] = v
	return out, nil
}

func (p *Path) setErr(format string, args ...any) error {
	return &SetError{Path: p.String(), Msg: fmt.Sprintf(format, args...)}
}

// before renders the steps before step i in Jayway's notation ("$['a'][0]").
func (p *Path) before(i int) string { return "$" + tail(p.toks[1:i], 0) }

func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("a %T", v)
}
