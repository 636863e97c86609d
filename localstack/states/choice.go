package states

import (
	"encoding/json"
	"math/big"
	"path"
	"strings"
	"time"

	"github.com/lambdakit/lambdakit/localstack/asl"
)

// choose returns the Next of the first rule that matches, the Default, or
// fails with States.NoChoiceMatched.
func choose(st *asl.State, run *stateRun, input any) (string, *Failure) {
	for _, r := range st.Choices {
		ok, f := evalRule(run, r, input)
		if f != nil {
			return "", f
		}
		if ok {
			if r.HasAssign {
				run.rule = r
			}
			return r.Next, nil
		}
	}
	if st.Default != "" {
		return st.Default, nil
	}
	return "", runtimeFailure(errNoChoiceMatched, run, "No Matches!")
}

// evalRule evaluates a JSONPath choice rule.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
func evalRule(run *stateRun, r *asl.ChoiceRule, input any) (bool, *Failure) {
	switch {
	case r.And != nil:
		for _, sub := range r.And {
			ok, f := evalRule(run, sub, input)
			if f != nil || !ok {
				return false, f
			}
		}
		return true, nil
	case r.Or != nil:
		for _, sub := range r.Or {
			ok, f := evalRule(run, sub, input)
			if f != nil || ok {
				return ok, f
			}
		}
		return false, nil
	case r.Not != nil:
		ok, f := evalRule(run, r.Not, input)
		return !ok, f
	}
	v, err := run.get(r.Variable, input)
	present := err == nil
	op := r.Operator
	switch op {
	case "IsPresent":
		return present == r.Operand.(bool), nil
	case "IsNull", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp":
		if !present {
			// A missing variable is an error for every comparison but IsPresent.
			return false, runtimeFailure(errRuntime, run, "Invalid path '%s': The choice state's condition path references an invalid value.", r.Variable)
		}
		var is bool
		switch op {
		case "IsNull":
			is = v == nil
		case "IsNumeric":
			_, is = v.(json.Number)
		case "IsString":
			_, is = v.(string)
		case "IsBoolean":
			_, is = v.(bool)
		case "IsTimestamp":
			s, ok := v.(string)
			_, perr := time.Parse(time.RFC3339Nano, s)
			is = ok && perr == nil && strings.Contains(s, "T")
		}
		return is == r.Operand.(bool), nil
	}
	if !present {
		return false, runtimeFailure(errRuntime, run, "Invalid path '%s': The choice state's condition path references an invalid value.", r.Variable)
	}
	operand := r.Operand
	base, isPath := strings.CutSuffix(op, "Path")
	if isPath {
		ov, err := run.get(operand.(string), input)
		if err != nil {
			return false, runtimeFailure(errRuntime, run, "Invalid path '%s': The choice state's condition path references an invalid value.", operand)
		}
		operand = ov
	}
	return compare(base, v, operand), nil
}

// compare applies a comparison operator; values of the wrong type never match.
func compare(op string, v, operand any) bool {
	switch {
	case strings.HasPrefix(op, "String"):
		a, ok1 := v.(string)
		b, ok2 := operand.(string)
		if !ok1 || !ok2 {
			return false
		}
		switch op {
		case "StringEquals":
			return a == b
		case "StringLessThan":
			return a < b
		case "StringGreaterThan":
			return a > b
		case "StringLessThanEquals":
			return a <= b
		case "StringGreaterThanEquals":
			return a >= b
		case "StringMatches":
			return wildcard(b, a)
		}
	case strings.HasPrefix(op, "Numeric"):
		a, ok1 := bigNumber(v)
		b, ok2 := bigNumber(operand)
		if !ok1 || !ok2 {
			return false
		}
		c := a.Cmp(b)
		switch op {
		case "NumericEquals":
			return c == 0
		case "NumericLessThan":
			return c < 0
		case "NumericGreaterThan":
			return c > 0
		case "NumericLessThanEquals":
			return c <= 0
		case "NumericGreaterThanEquals":
			return c >= 0
		}
	case op == "BooleanEquals":
		a, ok1 := v.(bool)
		b, ok2 := operand.(bool)
		return ok1 && ok2 && a == b
	case strings.HasPrefix(op, "Timestamp"):
		as, ok1 := v.(string)
		bs, ok2 := operand.(string)
		a, err1 := time.Parse(time.RFC3339Nano, as)
		b, err2 := time.Parse(time.RFC3339Nano, bs)
		if !ok1 || !ok2 || err1 != nil || err2 != nil {
			return false
		}
		switch op {
		case "TimestampEquals":
			return a.Equal(b)
		case "TimestampLessThan":
			return a.Before(b)
		case "TimestampGreaterThan":
			return a.After(b)
		case "TimestampLessThanEquals":
			return !a.After(b)
		case "TimestampGreaterThanEquals":
			return !a.Before(b)
		}
	}
	return false
}

// bigNumber reads a JSON number exactly, so that 1 and 1.0 compare equal and
// large integers keep their precision.
func bigNumber(v any) (*big.Float, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return nil, false
	}
	f, _, err := big.ParseFloat(string(n), 10, 256, big.ToNearestEven)
	return f, err == nil
}

// wildcard matches s against a StringMatches pattern: * matches any run of
// characters; \* and \\ are a literal * and \.
func wildcard(pattern, s string) bool {
	// Translate to path.Match syntax, where only * is special for us.
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '\\' && i+1 < len(pattern) && (pattern[i+1] == '*' || pattern[i+1] == '\\'):
			b.WriteString("\\" + string(pattern[i+1]))
			i++
		case c == '*':
			b.WriteByte('*')
		case c == '?' || c == '[' || c == '\\':
			b.WriteString("\\" + string(c))
		default:
			b.WriteByte(c)
		}
	}
	// path.Match's * does not cross '/'; replace slashes on both sides.
	pat := strings.ReplaceAll(b.String(), "/", "\x00")
	ok, err := path.Match(pat, strings.ReplaceAll(s, "/", "\x00"))
	return err == nil && ok
}
