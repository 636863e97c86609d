package jsonpath

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// filter is a parsed [?(...)] expression.
type filter struct {
	root fnode
}

// fnode is a node of a filter expression: one criterion, or criteria joined
// by && and ||.
type fnode interface {
	apply(root, item any) (bool, *evalErr)
}

type cmpOp uint8

const (
	cmpExists cmpOp = iota // @.a, or !@.a
	cmpEQ
	cmpNE
	cmpLT
	cmpLE
	cmpGT
	cmpGE
	cmpRegex
)

type operandKind uint8

const (
	operandLiteral operandKind = iota
	operandPath
	operandPattern
)

// operand is one side of a criterion. Jayway 2.0.0 keeps every literal as a
// string, quoted or not: "10", "true" and "null" are strings that the
// comparison converts as it needs.
type operand struct {
	kind operandKind
	lit  any     // the literal string, boxed once
	path []token // definite
	doc  bool    // path starts with '$' (the document) rather than '@' (the item)
	re   *regexp.Regexp
}

// criterion is "left op right", or an existence check of left.
type criterion struct {
	op          cmpOp
	exists      bool // for cmpExists: false for !@.a
	left, right operand
}

type andNode struct{ preds []fnode }

type orNode struct{ left, right fnode }

func (n *andNode) apply(root, item any) (bool, *evalErr) {
	for _, p := range n.preds {
		if ok, err := p.apply(root, item); err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func (n *orNode) apply(root, item any) (bool, *evalErr) {
	if ok, err := n.left.apply(root, item); err != nil || ok {
		return ok, err
	}
	return n.right.apply(root, item)
}

// andWith mirrors Jayway 2.0.0's Filter.and for each kind of filter. Together
// with the right-to-left build in parser.filter it reproduces both the
// precedence (&& binds tighter than ||) and the evaluation order, which
// matters because some comparisons fail the whole evaluation.
func andWith(root, p fnode) fnode {
	switch r := root.(type) {
	case *andNode:
		return &andNode{preds: append(slices.Clip(r.preds), p)}
	case *orNode:
		return &orNode{left: r.left, right: &andNode{preds: []fnode{r.right, p}}}
	}
	return &andNode{preds: []fnode{root, p}}
}

// filter parses a filter expression, src[start:end] being what lies between
// "[?(" and ")]". As in Jayway 2.0.0 the expression is split at every && and
// || (outside quoted strings), and parentheses around criteria are dropped
// rather than grouping: "(a || b) && c" means "a || (b && c)".
func (p *parser) filter(start, end int) (*filter, error) {
	s := p.src
	var parts [][2]int
	var ops []byte
	inQuote, last := false, start
	for i := start; i < end; i++ {
		c := s[i]
		if c == '\'' && (i == start || s[i-1] != '\\') {
			inQuote = !inQuote
			continue
		}
		if inQuote || i+1 >= end || s[i+1] != c || (c != '&' && c != '|') {
			continue
		}
		parts = append(parts, [2]int{last, i})
		ops = append(ops, c)
		last = i + 2
		i++
	}
	parts = append(parts, [2]int{last, end})
	nodes := make([]fnode, len(parts))
	for k, part := range parts {
		c, err := p.criterion(part[0], part[1])
		if err != nil {
			return nil, err
		}
		nodes[k] = c
	}
	root := nodes[len(nodes)-1]
	for k := len(ops) - 1; k >= 0; k-- {
		if ops[k] == '&' {
			root = andWith(root, nodes[k])
		} else {
			root = &orNode{left: root, right: nodes[k]}
		}
	}
	return &filter{root: root}, nil
}

// criterion parses one comparison or existence check in src[start:end].
func (p *parser) criterion(start, end int) (*criterion, error) {
	s := p.src
	// Jayway's cleanCriteria strips '[', '?', '(' and ' ' in front and ')'
	// and ' ' at the end.
	a, b := start, end
	for a < b && strings.IndexByte("[?( ", s[a]) >= 0 {
		a++
	}
	for b > a && (s[b-1] == ')' || s[b-1] == ' ') {
		b--
	}
	if a == b {
		return nil, p.errAt(start, "empty filter expression")
	}
	at, opText, op := findOperator(s[a:b])
	if at < 0 {
		left, neg, err := p.operand(trimSpace(s, a, b))
		if err != nil {
			return nil, err
		}
		if left.kind != operandPath {
			return nil, p.errAt(a, "filter expression %q has no comparison operator", s[a:b])
		}
		return &criterion{op: cmpExists, exists: !neg, left: left}, nil
	}
	at += a
	left, _, err := p.operand(trimSpace(s, a, at))
	if err != nil {
		return nil, err
	}
	rs, re := trimSpace(s, at+len(opText), b)
	if strings.HasPrefix(s[rs:re], "!@") {
		return nil, p.errAt(rs, "'!' is only allowed in an existence check such as [?(!@.a)]")
	}
	right, _, err := p.operand(rs, re)
	if err != nil {
		return nil, err
	}
	return &criterion{op: op, left: left, right: right}, nil
}

// findOperator returns the offset in text of its operator, outside single
// quotes, or -1. Like Jayway 2.0.0's Criteria.parse it looks for "==", then
// ">=", "<=", "!=", "<", ">" and "=~", and takes the first one it finds.
func findOperator(text string) (int, string, cmpOp) {
	operators := [...]struct {
		text string
		op   cmpOp
	}{
		{"==", cmpEQ}, {">=", cmpGE}, {"<=", cmpLE}, {"!=", cmpNE}, {"<", cmpLT}, {">", cmpGT}, {"=~", cmpRegex},
	}
	for _, o := range operators {
		inQuote := false
		for i := 0; i < len(text); i++ {
			if text[i] == '\'' && (i == 0 || text[i-1] != '\\') {
				inQuote = !inQuote
				continue
			}
			if !inQuote && strings.HasPrefix(text[i:], o.text) {
				return i, o.text, o.op
			}
		}
	}
	return -1, "", 0
}

// operand parses src[start:end]: a path starting with '@' or '$' (with a
// leading '!' for a negated existence check), a quoted string, a /pattern/
// or /pattern/i, or else a bare literal kept as a string.
func (p *parser) operand(start, end int) (o operand, neg bool, err error) {
	text := p.src[start:end]
	if strings.HasPrefix(text, "!@") {
		neg = true
		start++
		text = text[1:]
	}
	switch {
	case strings.HasPrefix(text, "@") || strings.HasPrefix(text, "$"):
		toks, err := p.path(start, end)
		if err != nil {
			return o, false, err
		}
		for i := range toks {
			if !toks[i].definite() {
				return o, false, p.errAt(start, "the filter path %q is not definite", text)
			}
		}
		return operand{kind: operandPath, path: toks, doc: text[0] == '$'}, neg, nil
	case len(text) >= 2 && text[0] == '\'' && text[len(text)-1] == '\'':
		return operand{kind: operandLiteral, lit: text[1 : len(text)-1]}, false, nil
	case len(text) >= 2 && text[0] == '/' && (strings.HasSuffix(text, "/") || strings.HasSuffix(text, "/i")):
		last := strings.LastIndexByte(text, '/')
		if last == 0 {
			return o, false, p.errAt(start, "invalid pattern %q", text)
		}
		expr := "^(?:" + text[1:last] + ")$" // Java's Matcher.matches matches the whole text.
		if strings.HasSuffix(text, "i") {
			expr = "(?i)" + expr
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return o, false, p.errAt(start, "invalid pattern %q", text)
		}
		return operand{kind: operandPattern, re: re}, false, nil
	}
	return operand{kind: operandLiteral, lit: text}, false, nil
}

// accept reports whether item passes the filter. AWS documents that the @
// operator "does not match scalar values. It only matches objects", so
// anything but an object is rejected without evaluating the expression.
func (f *filter) accept(root, item any) (bool, *evalErr) {
	if _, ok := item.(map[string]any); !ok {
		return false, nil
	}
	return f.root.apply(root, item)
}

func (c *criterion) apply(root, item any) (bool, *evalErr) {
	if c.op == cmpExists {
		// Jayway 2.0.0 evaluates an existence check against the item even for
		// a '$' path, and a present null does not count as existing.
		v, err := resolve(c.left.path, item)
		if err != nil {
			if err.kind == notFound {
				return !c.exists, nil
			}
			return false, err
		}
		return (v != nil) == c.exists, nil
	}
	l, ok, err := c.left.value(root, item)
	if err != nil || !ok {
		return false, err
	}
	r, ok, err := c.right.value(root, item)
	if err != nil || !ok {
		return false, err
	}
	return compare(c.op, r, l)
}

// value returns the operand's value; ok is false when its path does not
// resolve, which makes the criterion false.
func (o *operand) value(root, item any) (v any, ok bool, err *evalErr) {
	switch o.kind {
	case operandLiteral:
		return o.lit, true, nil
	case operandPattern:
		return o.re, true, nil
	}
	doc := item
	if o.doc {
		doc = root
	}
	v, err = resolve(o.path, doc)
	if err != nil {
		if err.kind == notFound {
			return nil, false, nil
		}
		return nil, false, err
	}
	return v, true, nil
}

// compare applies op the way Jayway 2.0.0's CriteriaType.eval does, with
// expected the right-hand value and model the left-hand one.
func compare(op cmpOp, expected, model any) (bool, *evalErr) {
	if op == cmpRegex {
		re, ok := model.(*regexp.Regexp)
		target := expected
		if !ok {
			if re, ok = expected.(*regexp.Regexp); !ok {
				return false, &evalErr{kind: invalid, msg: "the operand of =~ must be a /pattern/"}
			}
			target = model
		}
		if target == nil {
			return false, nil
		}
		return re.MatchString(javaString(target)), nil
	}
	if op != cmpEQ && op != cmpNE && (expected == nil) != (model == nil) {
		return false, nil
	}
	c, ok, err := safeCompare(expected, model)
	if err != nil || !ok {
		return false, err
	}
	switch op {
	case cmpEQ:
		return c == 0, nil
	case cmpNE:
		return c != 0, nil
	case cmpGT:
		return c < 0, nil
	case cmpGE:
		return c <= 0, nil
	case cmpLT:
		return c > 0, nil
	default: // cmpLE
		return c >= 0, nil
	}
}

// javaString renders a value as Java's toString would for the regex match.
func javaString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return string(v)
	case bool:
		return strconv.FormatBool(v)
	}
	return jsonText(v)
}
