package jsonpath

import (
	"fmt"
	"strconv"
	"strings"
)

// kind is the kind of one path step, named after Jayway's path tokens.
type kind uint8

const (
	kRoot     kind = iota // $ (or @ inside a filter)
	kProp                 // .a or ['a']; ['a','b'] only as the last step
	kIndex                // [0] or [0,2]
	kSlice                // [1:], [:2], [1:3]
	kLength               // [(@.length-1)]
	kWildcard             // .* or [*]
	kScan                 // ..
	kFilter               // [?(...)]
)

type sliceKind uint8

const (
	sliceFrom    sliceKind = iota // [from:]
	sliceTo                       // [:to]
	sliceBetween                  // [from:to]
)

// token is one step of a parsed path.
type token struct {
	kind   kind
	names  []string  // kProp
	idx    []int     // kIndex; for kLength idx[0] is the (negative) offset from the length
	slice  sliceKind // kSlice
	from   int       // kSlice
	to     int       // kSlice
	filter *filter   // kFilter
}

// definite reports whether Jayway treats the step as selecting at most one
// node (PathToken.isTokenDefinite): a property step, even with several names
// (they are merged into one object), a single index and [(@.length-n)].
func (t *token) definite() bool {
	switch t.kind {
	case kRoot, kProp, kLength:
		return true
	case kIndex:
		return len(t.idx) == 1
	}
	return false
}

// parser reports errors with offsets into src, the expression given to Parse.
type parser struct {
	src string
}

func (p *parser) errAt(off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Expr: p.src, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// Parse parses a JSONPath expression as AWS Step Functions accepts it. Leading
// and trailing whitespace is ignored; the expression must start with "$", or
// with "$$" for a path into the context object. Errors are *SyntaxError.
func Parse(expr string) (*Path, error) {
	start, end := trimSpace(expr, 0, len(expr))
	if start == end {
		return nil, &SyntaxError{Expr: expr, Offset: 0, Msg: "empty path"}
	}
	context := strings.HasPrefix(expr[start:end], "$$")
	if context {
		start++ // AWS evaluates "$$.x" as "$.x" against the context object.
	}
	if expr[start] != '$' {
		return nil, &SyntaxError{Expr: expr, Offset: start, Msg: "path must start with '$'"}
	}
	p := parser{src: expr}
	toks, err := p.path(start, end)
	if err != nil {
		return nil, err
	}
	return newPath(expr, context, toks), nil
}

// path parses src[start:end], which starts with '$' or, for a filter
// operand, '@'.
func (p *parser) path(start, end int) ([]token, error) {
	s := p.src
	toks := []token{{kind: kRoot}}
	i := start + 1
	if i < end && s[i] != '.' && s[i] != '[' {
		return nil, p.errAt(i, "expected '.' or '[' after %q", s[start])
	}
	for i < end {
		switch s[i] {
		case '.':
			if i+1 < end && s[i+1] == '.' {
				toks = append(toks, token{kind: kScan})
				i += 2
				if i == end {
					return nil, p.errAt(i, "path must not end with '..'")
				}
				if s[i] == '.' || s[i] == ' ' {
					return nil, p.errAt(i, "unexpected %q after '..'", s[i])
				}
			} else {
				i++
				if i == end {
					return nil, p.errAt(i, "path must not end with '.'")
				}
				if s[i] == ' ' {
					return nil, p.errAt(i, "space not allowed in a path; use bracket notation such as ['a b']")
				}
			}
			if s[i] == '[' {
				continue // "$.['a']" and "$..['a']" are accepted by Jayway.
			}
			// Jayway 2.0.0 ends a dot name only at '.', '[' or ' ': any
			// other character, '-', '*', '(' or non-ASCII included, is part
			// of the name, so "$.a.0" looks up the key "0".
			j := i
			for j < end && s[j] != '.' && s[j] != '[' && s[j] != ' ' {
				j++
			}
			if name := s[i:j]; name == "*" {
				toks = append(toks, token{kind: kWildcard})
			} else {
				toks = append(toks, token{kind: kProp, names: []string{name}})
			}
			i = j
		case '[':
			t, next, err := p.bracket(i, end)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i = next
		case ' ':
			return nil, p.errAt(i, "space not allowed in a path; use bracket notation such as ['a b']")
		default:
			return nil, p.errAt(i, "unexpected %q; expected '.' or '['", s[i])
		}
	}
	return toks, nil
}

// bracket parses the bracket step starting at src[open] == '[' and returns
// it with the offset just after its closing ']'.
func (p *parser) bracket(open, end int) (token, int, error) {
	s := p.src
	i := skipSpace(s, open+1, end)
	if i == end {
		return token{}, 0, p.errAt(open, "unterminated '['")
	}
	switch c := s[i]; {
	case c == '\'':
		return p.names(open, i, end)
	case c == '?':
		return p.filterStep(open, end)
	case c == '*':
		// Jayway 2.0.0 recognises the wildcard only as the exact text "[*]".
		if i == open+1 && i+1 < end && s[i+1] == ']' {
			return token{kind: kWildcard}, i + 2, nil
		}
		return token{}, 0, p.errAt(i, "expected \"[*]\"")
	case c == '(' || c == '@':
		closing := strings.IndexByte(s[i:end], ']')
		if closing < 0 {
			return token{}, 0, p.errAt(open, "unterminated '['")
		}
		t, err := p.lengthStep(i, i+closing)
		return t, i + closing + 1, err
	case c == '-' || c == ':' || isDigit(c):
		closing := strings.IndexByte(s[i:end], ']')
		if closing < 0 {
			return token{}, 0, p.errAt(open, "unterminated '['")
		}
		t, err := p.indexStep(i, i+closing)
		return t, i + closing + 1, err
	case c == '"':
		// Jayway 2.0.0 reads only single-quoted names.
		return token{}, 0, p.errAt(i, "names in brackets must be single-quoted, as in ['a b']")
	default:
		return token{}, 0, p.errAt(i, "unexpected %q after '['", c)
	}
}

// names parses ['a'] or ['a', 'b'] with src[q] the first quote. Names are
// taken literally: Jayway 2.0.0 has no escapes, so a backslash is an ordinary
// character and a name cannot contain a single quote.
func (p *parser) names(open, q, end int) (token, int, error) {
	s := p.src
	var names []string
	for {
		j := strings.IndexByte(s[q+1:end], '\'')
		if j < 0 {
			return token{}, 0, p.errAt(q, "unterminated quoted name")
		}
		j += q + 1
		names = append(names, s[q+1:j])
		k := skipSpace(s, j+1, end)
		if k == end {
			return token{}, 0, p.errAt(open, "unterminated '['")
		}
		switch s[k] {
		case ']':
			return token{kind: kProp, names: names}, k + 1, nil
		case ',':
			k = skipSpace(s, k+1, end)
			if k == end || s[k] != '\'' {
				return token{}, 0, p.errAt(k, "expected a quoted name after ','")
			}
			q = k
		default:
			return token{}, 0, p.errAt(k, "expected ',' or ']' after a quoted name")
		}
	}
}

// indexStep parses the inside of [0], [0,2], [1:], [:2] or [1:3]. Indexes are
// 32-bit, as Jayway's Integer.parseInt requires; slices have no step.
func (p *parser) indexStep(start, end int) (token, error) {
	text := p.src[start:end]
	if colon := strings.IndexByte(text, ':'); colon >= 0 {
		if strings.IndexByte(text[colon+1:], ':') >= 0 {
			return token{}, p.errAt(start, "slice steps ([a:b:c]) are not supported")
		}
		from, hasFrom, ok := parseIndex(text[:colon])
		if !ok {
			return token{}, p.errAt(start, "invalid slice start %q", strings.TrimSpace(text[:colon]))
		}
		to, hasTo, ok := parseIndex(text[colon+1:])
		if !ok {
			return token{}, p.errAt(start+colon+1, "invalid slice end %q", strings.TrimSpace(text[colon+1:]))
		}
		t := token{kind: kSlice, from: from, to: to}
		switch {
		case hasFrom && hasTo:
			t.slice = sliceBetween
		case hasFrom:
			t.slice = sliceFrom
		case hasTo:
			t.slice = sliceTo
		default:
			return token{}, p.errAt(start, "a slice needs a start or an end")
		}
		return t, nil
	}
	t := token{kind: kIndex}
	off := start
	for part := range strings.SplitSeq(text, ",") {
		v, present, ok := parseIndex(part)
		if !ok || !present {
			return token{}, p.errAt(off, "invalid array index %q", strings.TrimSpace(part))
		}
		t.idx = append(t.idx, v)
		off += len(part) + 1
	}
	return t, nil
}

// lengthStep parses [(@.length-n)], which Jayway 2.0.0 supports and AWS
// accepts to select the n-th element from the end ([-1] fails on AWS). The
// forms @.length, @.length(), @.size and @.size() are accepted.
func (p *parser) lengthStep(start, end int) (token, error) {
	a, b := trimSpace(p.src, start, end)
	text := p.src[a:b]
	if strings.HasPrefix(text, "(") {
		if !strings.HasSuffix(text, ")") {
			return token{}, p.errAt(a, "expected ')' before ']'")
		}
		text = strings.TrimSpace(text[1 : len(text)-1])
	}
	fn, num, ok := strings.Cut(strings.TrimPrefix(text, "@."), "-")
	if !ok || !strings.HasPrefix(text, "@.") {
		return token{}, p.errAt(a, "expected an index, a slice or (@.length-n)")
	}
	switch strings.TrimSpace(fn) {
	case "length", "length()", "size", "size()":
	default:
		return token{}, p.errAt(a, "unsupported function %q; only (@.length-n) is supported", strings.TrimSpace(fn))
	}
	num = strings.TrimSpace(num)
	n, err := strconv.ParseInt(num, 10, 32)
	if err != nil || num == "" || !isDigit(num[0]) {
		return token{}, p.errAt(a, "invalid offset %q in (@.length-n)", num)
	}
	return token{kind: kLength, idx: []int{-int(n)}}, nil
}

// filterStep parses [?(...)] starting at src[open] == '['. The closing ']' is
// the first one outside single quotes and parentheses, as in Jayway 2.0.0's
// findFilterBounds; the expression is what lies between the '(' after '?'
// and the last ')' before that ']'.
func (p *parser) filterStep(open, end int) (token, int, error) {
	s := p.src
	depth, inQuote, closing := 0, false, -1
scan:
	for i := open + 1; i < end; i++ {
		switch c := s[i]; {
		case c == '\'' && s[i-1] != '\\':
			inQuote = !inQuote
		case inQuote:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ']' && depth == 0:
			closing = i
			break scan
		}
	}
	if closing < 0 {
		return token{}, 0, p.errAt(open, "unterminated filter")
	}
	a, b := trimSpace(s, open+1, closing) // s[a] == '?'
	a, b = trimSpace(s, a+1, b)
	if b-a < 2 || s[a] != '(' || s[b-1] != ')' {
		return token{}, 0, p.errAt(open, "a filter must look like [?(expression)]")
	}
	f, err := p.filter(a+1, b-1)
	if err != nil {
		return token{}, 0, err
	}
	return token{kind: kFilter, filter: f}, closing + 1, nil
}

// parseIndex parses an optionally signed 32-bit decimal integer surrounded by
// optional spaces. present is false for blank text.
func parseIndex(text string) (v int, present, ok bool) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, false, true
	}
	digits := strings.TrimPrefix(text, "-")
	if digits == "" || !isDigit(digits[0]) {
		return 0, true, false
	}
	n, err := strconv.ParseInt(text, 10, 32)
	if err != nil {
		return 0, true, false
	}
	return int(n), true, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// skipSpace returns the first offset in s[i:end] that is not a blank.
func skipSpace(s string, i, end int) int {
	for i < end && s[i] <= ' ' {
		i++
	}
	return i
}

// trimSpace narrows s[start:end] to exclude leading and trailing characters
// at or below ' ', as Java's String.trim does.
func trimSpace(s string, start, end int) (int, int) {
	start = skipSpace(s, start, end)
	for end > start && s[end-1] <= ' ' {
		end--
	}
	return start, end
}
