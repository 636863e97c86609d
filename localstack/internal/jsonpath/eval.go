package jsonpath

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// errKind tells the two exceptions Jayway throws while evaluating apart:
// PathNotFoundException, which a wildcard over an array and a filter
// comparison swallow, and everything else (InvalidPathException,
// NumberFormatException), which always fails the evaluation.
type errKind uint8

const (
	notFound errKind = iota
	invalid
)

type evalErr struct {
	kind errKind
	msg  string
}

// Get evaluates the path against doc. A definite path (see
// [Path.IsDefinite]) returns the value it selects, which may be nil for a
// JSON null; an indefinite path returns a non-nil []any of the matches,
// possibly empty. Either fails with *NoMatchError where Jayway JsonPath
// 2.0.0, which AWS Step Functions uses, throws: see the package
// documentation. The result shares structure with doc.
func (p *Path) Get(doc any) (any, error) {
	if len(p.toks) == 0 {
		return doc, nil
	}
	if p.definite {
		v, err := resolve(p.toks, doc)
		if err != nil {
			return nil, &NoMatchError{Path: p.String(), Detail: err.msg}
		}
		return v, nil
	}
	c := evalCtx{toks: p.toks, upDef: p.upDef, root: doc, out: []any{}}
	if err := c.eval(0, doc); err != nil {
		return nil, &NoMatchError{Path: p.String(), Detail: err.msg}
	}
	return c.out, nil
}

// resolve evaluates a definite path (root, property, single index and
// [(@.length-n)] steps only) the way Jayway does, without allocating.
func resolve(toks []token, doc any) (any, *evalErr) {
	cur := doc
	last := len(toks) - 1
	for i := 1; i <= last; i++ {
		t := &toks[i]
		switch t.kind {
		case kProp:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, &evalErr{notFound, "Property " + fragment(t) + " not found in path " + renderPath(toks, doc, i)}
			}
			if len(t.names) > 1 {
				if i != last {
					return nil, &evalErr{invalid, "Multi properties can only be used as path leafs: " + renderPath(toks, doc, i) + fragment(t)}
				}
				return merge(m, t.names), nil
			}
			v, ok := m[t.names[0]]
			if !ok {
				if i == last {
					return nil, &evalErr{notFound, "No results for path: " + renderPath(toks, doc, i+1)}
				}
				return nil, &evalErr{notFound, "Missing property in path " + renderPath(toks, doc, i+1)}
			}
			cur = v
		case kIndex, kLength:
			a, err := arrayModel(toks, i, cur, func() string { return renderPath(toks, doc, i) })
			if err != nil {
				return nil, err
			}
			idx := t.idx[0]
			if t.kind == kLength {
				idx += len(a)
			}
			if idx < 0 || idx >= len(a) {
				return nil, outOfBounds(renderPath(toks, doc, i), idx)
			}
			cur = a[idx]
		default:
			return nil, &evalErr{invalid, "indefinite step " + fragment(t) + " in a definite path"}
		}
	}
	return cur, nil
}

// arrayModel is Jayway 2.0.0's check before an index or slice step.
func arrayModel(toks []token, i int, model any, where func() string) ([]any, *evalErr) {
	if model == nil {
		return nil, &evalErr{notFound, "The path " + where() + " is null"}
	}
	a, ok := model.([]any)
	if !ok {
		return nil, &evalErr{invalid, "Filter: " + tail(toks, i) + " can only be applied to arrays. Current context is: " + jsonText(model)}
	}
	return a, nil
}

func outOfBounds(where string, idx int) *evalErr {
	return &evalErr{notFound, "Index out of bounds when evaluating path " + where + "[" + strconv.Itoa(idx) + "]"}
}

// renderPath renders the first n steps of a definite path as Jayway prints
// an evaluation path ("$['a'][0]"), walking doc again to find the indexes
// that [(@.length-n)] steps chose.
func renderPath(toks []token, doc any, n int) string {
	var b strings.Builder
	b.WriteByte('$')
	cur := doc
	for i := 1; i < n; i++ {
		t := &toks[i]
		switch t.kind {
		case kProp:
			b.WriteString(fragment(t))
			if m, ok := cur.(map[string]any); ok {
				cur = m[t.names[0]]
			}
		case kIndex, kLength:
			a, _ := cur.([]any)
			idx := t.idx[0]
			if t.kind == kLength {
				idx += len(a)
			}
			b.WriteString("[" + strconv.Itoa(idx) + "]")
			if idx >= 0 && idx < len(a) {
				cur = a[idx]
			}
		}
	}
	return b.String()
}

// step is one element of the evaluation path kept for error messages.
type step struct {
	name  string
	idx   int
	isIdx bool
}

// evalCtx evaluates an indefinite path, following Jayway 2.0.0's PathToken
// classes step by step.
type evalCtx struct {
	toks  []token
	upDef []bool
	root  any
	out   []any
	steps []step
}

func (c *evalCtx) where() string {
	var b strings.Builder
	b.WriteByte('$')
	for _, s := range c.steps {
		if s.isIdx {
			b.WriteString("[" + strconv.Itoa(s.idx) + "]")
		} else {
			b.WriteString("['" + s.name + "']")
		}
	}
	return b.String()
}

// next hands v to the step after i, or records it when i is the last step.
func (c *evalCtx) next(i int, v any) *evalErr {
	if i == len(c.toks)-1 {
		c.out = append(c.out, v)
		return nil
	}
	return c.eval(i+1, v)
}

// index is Jayway 2.0.0's handleArrayIndex: an index out of range throws.
func (c *evalCtx) index(i int, a []any, idx int) *evalErr {
	if idx < 0 || idx >= len(a) {
		return outOfBounds(c.where(), idx)
	}
	c.steps = append(c.steps, step{idx: idx, isIdx: true})
	err := c.next(i, a[idx])
	c.steps = c.steps[:len(c.steps)-1]
	return err
}

// property is Jayway 2.0.0's handleObjectProperty for one name. A missing
// name fails the evaluation when it is the last step, or when this and every
// later step is definite; otherwise the branch is silently dropped, which is
// why "$.items[*]" on {} selects nothing instead of failing.
func (c *evalCtx) property(i int, m map[string]any, name string) *evalErr {
	v, ok := m[name]
	c.steps = append(c.steps, step{name: name})
	var err *evalErr
	switch {
	case ok:
		err = c.next(i, v)
	case i == len(c.toks)-1:
		err = &evalErr{notFound, "No results for path: " + c.where()}
	case c.upDef[i]:
		err = &evalErr{notFound, "Missing property in path " + c.where()}
	}
	c.steps = c.steps[:len(c.steps)-1]
	return err
}

func (c *evalCtx) eval(i int, model any) *evalErr {
	t := &c.toks[i]
	switch t.kind {
	case kRoot:
		return c.next(i, model)
	case kProp:
		m, ok := model.(map[string]any)
		if !ok {
			return &evalErr{notFound, "Property " + fragment(t) + " not found in path " + c.where()}
		}
		if len(t.names) == 1 {
			return c.property(i, m, t.names[0])
		}
		if i != len(c.toks)-1 {
			return &evalErr{invalid, "Multi properties can only be used as path leafs: " + c.where() + fragment(t)}
		}
		c.out = append(c.out, merge(m, t.names))
		return nil
	case kIndex, kLength, kSlice:
		a, err := arrayModel(c.toks, i, model, c.where)
		if err != nil {
			return err
		}
		return c.array(i, t, a)
	case kWildcard:
		switch v := model.(type) {
		case map[string]any:
			for _, k := range sortedKeys(v) {
				if err := c.property(i, v, k); err != nil {
					return err
				}
			}
		case []any:
			for k := range v {
				// Jayway's WildcardPathToken swallows PathNotFoundException
				// for array elements, and only there.
				if err := c.index(i, v, k); err != nil && err.kind != notFound {
					return err
				}
			}
		}
		return nil
	case kScan:
		return c.walk(i, model)
	default: // kFilter
		switch v := model.(type) {
		case map[string]any:
			ok, err := t.filter.accept(c.root, v)
			if err != nil || !ok {
				return err
			}
			return c.next(i, v)
		case []any:
			for k, el := range v {
				ok, err := t.filter.accept(c.root, el)
				if err == nil && ok {
					err = c.index(i, v, k)
				}
				if err != nil {
					return err
				}
			}
			return nil
		}
		return &evalErr{invalid, "Filter: " + tail(c.toks, i) + " can not be applied to primitives. Current context is: " + jsonText(model)}
	}
}

// array applies an index, [(@.length-n)] or slice step, with Jayway 2.0.0's
// arithmetic: [from:] and [:to] count negative bounds from the end, [a:b]
// does not (so [1:-1] is empty and [-2:3] fails).
func (c *evalCtx) array(i int, t *token, a []any) *evalErr {
	n := len(a)
	from, to := 0, 0
	switch t.kind {
	case kIndex:
		for _, idx := range t.idx {
			if err := c.index(i, a, idx); err != nil {
				return err
			}
		}
		return nil
	case kLength:
		return c.index(i, a, n+t.idx[0])
	}
	switch t.slice {
	case sliceFrom:
		from, to = t.from, n
		if from < 0 {
			from = max(0, n+from)
		}
	case sliceTo:
		to = t.to
		if to < 0 {
			to += n
		}
		to = min(n, to)
	case sliceBetween:
		from, to = t.from, min(n, t.to)
	}
	for k := from; k < to; k++ {
		if err := c.index(i, a, k); err != nil {
			return err
		}
	}
	return nil
}

// walk is Jayway 2.0.0's ScanPathToken: a pre-order walk of model in which
// every node that the next step could apply to is handed to it. Like Jayway,
// when the step after ".." is not the last and matches an array, the rest of
// the path is applied to each element without that step, so "$..[0].a" reads
// "a" of every element.
func (c *evalCtx) walk(i int, model any) *evalErr {
	target := i + 1
	switch v := model.(type) {
	case map[string]any:
		ok, err := c.scanMatch(target, v)
		if err == nil && ok {
			err = c.eval(target, v)
		}
		if err != nil {
			return err
		}
		for _, k := range sortedKeys(v) {
			c.steps = append(c.steps, step{name: k})
			err := c.walk(i, v[k])
			c.steps = c.steps[:len(c.steps)-1]
			if err != nil {
				return err
			}
		}
	case []any:
		ok, err := c.scanMatch(target, v)
		if err != nil {
			return err
		}
		if ok && target == len(c.toks)-1 {
			if err := c.eval(target, v); err != nil {
				return err
			}
		} else if ok {
			for k, el := range v {
				c.steps = append(c.steps, step{idx: k, isIdx: true})
				err := c.eval(target+1, el)
				c.steps = c.steps[:len(c.steps)-1]
				if err != nil {
					return err
				}
			}
		}
		for k, el := range v {
			c.steps = append(c.steps, step{idx: k, isIdx: true})
			err := c.walk(i, el)
			c.steps = c.steps[:len(c.steps)-1]
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// scanMatch is the predicate Jayway's ScanPathToken uses to decide whether
// the step after ".." applies to a node.
func (c *evalCtx) scanMatch(j int, model any) (bool, *evalErr) {
	t := &c.toks[j]
	switch t.kind {
	case kProp:
		m, ok := model.(map[string]any)
		if !ok {
			return false, nil
		}
		for _, n := range t.names {
			if _, ok := m[n]; !ok {
				return false, nil
			}
		}
		return true, nil
	case kIndex, kSlice, kLength:
		_, ok := model.([]any)
		return ok, nil
	case kWildcard:
		return true, nil
	case kFilter:
		return t.filter.accept(c.root, model)
	}
	return false, nil
}

func merge(m map[string]any, names []string) map[string]any {
	out := make(map[string]any, len(names))
	for _, n := range names {
		if v, ok := m[n]; ok {
			out[n] = v
		}
	}
	return out
}

// sortedKeys returns m's keys in byte order: the order in which this package
// visits object members (Jayway follows the document's order, which a Go map
// does not keep).
func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

// fragment renders a step as Jayway's getPathFragment does.
func fragment(t *token) string {
	switch t.kind {
	case kRoot:
		return "$"
	case kProp:
		return "['" + strings.Join(t.names, "', '") + "']"
	case kIndex:
		parts := make([]string, len(t.idx))
		for i, v := range t.idx {
			parts[i] = strconv.Itoa(v)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case kLength:
		return "[@.size()" + strconv.Itoa(t.idx[0]) + "]"
	case kSlice:
		switch t.slice {
		case sliceFrom:
			return "[" + strconv.Itoa(t.from) + ":]"
		case sliceTo:
			return "[:" + strconv.Itoa(t.to) + "]"
		}
		return "[" + strconv.Itoa(t.from) + ":" + strconv.Itoa(t.to) + "]"
	case kWildcard:
		return "[*]"
	case kScan:
		return ".."
	}
	return "[?]"
}

// tail renders steps i and after, as Jayway's PathToken.toString does.
func tail(toks []token, i int) string {
	var b strings.Builder
	for j := i; j < len(toks); j++ {
		b.WriteString(fragment(&toks[j]))
	}
	return b.String()
}

// jsonText renders v for an error message, shortened to 200 bytes.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	s := string(b)
	if err != nil {
		s = fmt.Sprint(v)
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
