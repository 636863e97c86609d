package intrinsic

import (
	"encoding/json"
	"strings"
)

// maxDepth is the deepest nesting of intrinsic calls AWS documents ("You can
// nest up to 10 intrinsic functions within a field").
const maxDepth = 10

// argKind tells what an argument is in the source text.
type argKind uint8

const (
	argString argKind = iota // 'single-quoted literal'
	argNumber                // JSON number literal
	argBool                  // true or false
	argNull                  // null
	argPath                  // $... or $$... (or a $variable)
	argCall                  // nested States.X(...)
)

// arg is one parsed argument. Values of literals are fixed at parse time.
type arg struct {
	kind argKind
	pos  int         // byte offset of the argument in the whole expression
	str  string      // decoded string literal, or the path text
	raw  string      // string literal body with escapes kept (States.Format needs it)
	num  json.Number // number literal, normalised
	b    bool        // bool literal
	call *Call       // nested call
}

// Call is a parsed intrinsic function call such as
// States.Format('Hello, {}', $.name). A Call is immutable and safe for
// concurrent use; its zero value is not valid, use [Parse].
type Call struct {
	name string // "States.Format"
	fn   funcID
	args []arg
	pos  int    // byte offset of the call in the whole expression
	text string // the call's source text, used in error causes
}

// Name returns the function name, for example "States.Format".
func (c *Call) Name() string { return c.name }

// String returns the expression the call was parsed from.
func (c *Call) String() string { return c.text }

// Parse parses an intrinsic function expression: the value of a field whose name
// ends in ".$" and whose value starts with "States.". It reports, as a
// *[SyntaxError], what AWS rejects when the state machine is created: bad
// syntax, unbalanced quotes, brackets or parentheses, escapes other than \' \{
// \} \\ in string literals, unknown function names and nesting deeper than 10
// calls. Wrong argument counts and argument types are not syntax errors: AWS
// accepts them at creation time and fails the execution; [Call.Validate]
// reports the ones visible without running.
func Parse(expr string) (*Call, error) {
	p := parser{src: expr}
	if !strings.HasPrefix(expr, "States.") {
		return nil, p.errf(0, "expression must start with \"States.\"")
	}
	c, err := p.call(1)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.src) {
		return nil, p.errf(p.pos, "unexpected text after the closing parenthesis")
	}
	return c, nil
}

type parser struct {
	src string
	pos int
}

func (p *parser) errf(pos int, msg string) *SyntaxError {
	return &SyntaxError{Expr: p.src, Offset: pos, Msg: msg}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

func isIdent(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// call parses States.Name(args) at p.pos; depth is the nesting level of this call.
func (p *parser) call(depth int) (*Call, error) {
	start := p.pos
	if depth > maxDepth {
		return nil, p.errf(start, "intrinsic functions are nested more than 10 deep")
	}
	p.pos += len("States.")
	nameStart := p.pos
	for p.pos < len(p.src) && isIdent(p.src[p.pos]) {
		p.pos++
	}
	name := p.src[start:p.pos]
	fn, ok := lookupName(p.src[nameStart:p.pos])
	if !ok {
		return nil, p.errf(start, "unknown intrinsic function "+strconvQuote(name))
	}
	if p.pos >= len(p.src) || p.src[p.pos] != '(' {
		return nil, p.errf(p.pos, "expected '(' after "+name)
	}
	p.pos++
	c := &Call{name: name, fn: fn, pos: start}
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ')' {
		p.pos++
		c.text = p.src[start:p.pos]
		return c, nil
	}
	for {
		a, err := p.arg(depth)
		if err != nil {
			return nil, err
		}
		c.args = append(c.args, a)
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, p.errf(p.pos, "missing ')' to close "+name)
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ')':
			p.pos++
			c.text = p.src[start:p.pos]
			return c, nil
		default:
			return nil, p.errf(p.pos, "expected ',' or ')' after an argument")
		}
	}
}

func (p *parser) arg(depth int) (arg, error) {
	p.skipSpace()
	start := p.pos
	if p.pos >= len(p.src) {
		return arg{}, p.errf(p.pos, "missing argument")
	}
	switch c := p.src[p.pos]; {
	case c == '\'':
		return p.stringLit()
	case c == '$':
		return p.path()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case strings.HasPrefix(p.src[p.pos:], "States."):
		call, err := p.call(depth + 1)
		if err != nil {
			return arg{}, err
		}
		return arg{kind: argCall, pos: start, call: call}, nil
	case isIdent(c):
		for p.pos < len(p.src) && isIdent(p.src[p.pos]) {
			p.pos++
		}
		switch word := p.src[start:p.pos]; word {
		case "true", "false":
			return arg{kind: argBool, pos: start, b: word == "true"}, nil
		case "null":
			return arg{kind: argNull, pos: start}, nil
		default:
			return arg{}, p.errf(start, "unexpected word "+strconvQuote(word))
		}
	case c == ',' || c == ')':
		return arg{}, p.errf(start, "missing argument")
	default:
		return arg{}, p.errf(start, "unexpected character "+strconvQuote(string(c)))
	}
}

// stringLit parses a single-quoted literal. AWS accepts only the escapes \'
// \{ \} and \\; any other backslash (\" or \n, say) makes the definition
// invalid. Other characters, control characters included, stand for
// themselves.
func (p *parser) stringLit() (arg, error) {
	start := p.pos
	p.pos++ // opening quote
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case '\'':
			raw := p.src[start+1 : p.pos]
			p.pos++
			return arg{kind: argString, pos: start, str: b.String(), raw: raw}, nil
		case '\\':
			if p.pos+1 >= len(p.src) {
				return arg{}, p.errf(p.pos, "unterminated string literal")
			}
			switch e := p.src[p.pos+1]; e {
			case '\'', '{', '}', '\\':
				b.WriteByte(e)
				p.pos += 2
			default:
				return arg{}, p.errf(p.pos, "invalid escape sequence in string literal (only \\' \\{ \\} \\\\ are allowed)")
			}
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return arg{}, p.errf(start, "unterminated string literal")
}

// path scans a JSONPath argument. It ends at whitespace, ',' or ')' outside
// brackets; inside brackets quotes and parentheses (filters) are allowed.
func (p *parser) path() (arg, error) {
	start := p.pos
	depth := 0
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if depth == 0 {
			if c == ',' || c == ')' || isSpace(c) {
				break
			}
			if c == '(' || c == '\'' || c == '"' {
				return arg{}, p.errf(p.pos, "unexpected "+strconvQuote(string(c))+" in path")
			}
		}
		switch c {
		case '[':
			depth++
		case ']':
			if depth == 0 {
				return arg{}, p.errf(p.pos, "unbalanced ']' in path")
			}
			depth--
		case '\'', '"':
			end := p.quoted(p.pos)
			if end < 0 {
				return arg{}, p.errf(p.pos, "unterminated quote in path")
			}
			p.pos = end
		}
		p.pos++
	}
	if depth != 0 {
		return arg{}, p.errf(start, "unbalanced '[' in path")
	}
	return arg{kind: argPath, pos: start, str: p.src[start:p.pos]}, nil
}

// quoted returns the index of the quote closing the one at i, or -1.
func (p *parser) quoted(i int) int {
	q := p.src[i]
	for j := i + 1; j < len(p.src); j++ {
		switch p.src[j] {
		case '\\':
			j++
		case q:
			return j
		}
	}
	return -1
}

// number parses a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *parser) number() (arg, error) {
	start := p.pos
	s := p.src
	i := p.pos
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if digits() == 0 {
		return arg{}, p.errf(start, "invalid number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return arg{}, p.errf(start, "invalid number")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return arg{}, p.errf(start, "invalid number")
		}
	}
	if i < len(s) && (isIdent(s[i]) || s[i] == '.') {
		return arg{}, p.errf(start, "invalid number")
	}
	p.pos = i
	return arg{kind: argNumber, pos: start, num: normNumber(json.Number(s[start:i]))}, nil
}

// strconvQuote quotes s for messages without pulling %q formatting into hot paths.
func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
