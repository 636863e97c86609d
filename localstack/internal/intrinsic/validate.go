package intrinsic

import "strconv"

// Validate reports, as a *[SyntaxError], problems that are certain before the
// call runs: wrong argument counts, literal or nested-call arguments of the
// wrong kind (States.MathAdd('a', 1)), and literal values AWS always rejects (an
// unknown States.Hash algorithm, a malformed States.Format template or a
// placeholder count that does not match, a States.ArrayRange step of 0,
// States.JsonMerge with true). AWS itself accepts such definitions and fails
// the execution with States.Runtime, which [Call.Eval] reproduces, so use
// Validate for linting, not to decide whether a definition is valid.
func (c *Call) Validate() error {
	s := specOf(c.fn)
	if len(c.args) < s.min || s.max >= 0 && len(c.args) > s.max {
		return &SyntaxError{Expr: c.text, Offset: 0, Msg: c.name + " takes " + arity(s) + ", got " + strconv.Itoa(len(c.args))}
	}
	for i := range c.args {
		a := &c.args[i]
		if a.kind == argCall {
			if err := a.call.Validate(); err != nil {
				se := err.(*SyntaxError)
				return &SyntaxError{Expr: c.text, Offset: a.pos - c.pos + se.Offset, Msg: se.Msg}
			}
		}
		want, got := s.param(i), staticKind(a)
		if want != kAny && got != kAny && want != got {
			return c.argError(a, "argument "+strconv.Itoa(i+1)+" of "+c.name+" must be "+kindName(want)+", not "+kindName(got))
		}
	}
	if msg := c.literalProblem(); msg != "" {
		return &SyntaxError{Expr: c.text, Offset: 0, Msg: msg}
	}
	return nil
}

func (c *Call) argError(a *arg, msg string) *SyntaxError {
	return &SyntaxError{Expr: c.text, Offset: a.pos - c.pos, Msg: msg}
}

// literalProblem checks literal argument values that can never work.
func (c *Call) literalProblem() string {
	lit := func(i int, k argKind) *arg {
		if i < len(c.args) && c.args[i].kind == k {
			return &c.args[i]
		}
		return nil
	}
	switch c.fn {
	case fnFormat:
		if t := lit(0, argString); t != nil {
			_, holes, msg := splitTemplate(t.raw)
			if msg != "" {
				return "invalid template in States.Format: " + msg
			}
			if holes != len(c.args)-1 {
				return "States.Format template has " + strconv.Itoa(holes) + " placeholders but " + strconv.Itoa(len(c.args)-1) + " arguments follow"
			}
		}
	case fnHash:
		if a := lit(1, argString); a != nil && newHash(a.str) == nil {
			return "unsupported States.Hash algorithm " + strconvQuote(a.str) + " (use MD5, SHA-1, SHA-256, SHA-384 or SHA-512)"
		}
	case fnArrayRange:
		if a := lit(2, argNumber); a != nil {
			if st, ok := truncInt32(a.num); ok && st == 0 {
				return "States.ArrayRange step must not be 0"
			}
		}
	case fnJSONMerge:
		if a := lit(2, argBool); a != nil && a.b {
			return "States.JsonMerge supports only shallow merges; the third argument must be false"
		}
	}
	return ""
}

func staticKind(a *arg) kind {
	switch a.kind {
	case argString:
		return kString
	case argNumber:
		return kNumber
	case argBool:
		return kBool
	case argNull:
		return kNull
	case argCall:
		return specOf(a.call.fn).ret
	}
	return kAny
}

func arity(s spec) string {
	switch {
	case s.max < 0:
		return "at least " + strconv.Itoa(s.min) + " arguments"
	case s.min == s.max:
		return strconv.Itoa(s.min) + " arguments"
	}
	return strconv.Itoa(s.min) + " to " + strconv.Itoa(s.max) + " arguments"
}

func kindName(k kind) string {
	switch k {
	case kString:
		return "a string"
	case kNumber:
		return "a number"
	case kBool:
		return "a boolean"
	case kNull:
		return "null"
	case kArray:
		return "an array"
	case kObject:
		return "an object"
	}
	return "any value"
}
