package main

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strings"
)

// placeholderRe matches LocalStack's snapshot placeholders: <uuid:1>,
// <timestamp>, <ArnPart_0idx>, <partition>, <region>, ...
var placeholderRe = regexp.MustCompile(`<[A-Za-z][A-Za-z0-9_:\-.]*>`)

// bareWildcards are whole values LocalStack's key transformers write.
var bareWildcards = map[string]bool{"date": true, "datetime": true, "timestamp": true}

// matcher compares recorded values with the engine's. tokens are the
// replacement strings of the test's own transformers (RegexTransformer(x,
// "lambda_function_name"), ...): in a recorded string they match anything.
type matcher struct {
	tokens []string
	cache  map[string]*regexp.Regexp
}

func newMatcher(tokens []string) *matcher {
	return &matcher{tokens: append([]string{"snf_role_arn"}, tokens...), cache: map[string]*regexp.Regexp{}}
}

// wild reports whether the recorded string holds a placeholder or token.
func (m *matcher) wild(rec string) bool {
	if placeholderRe.MatchString(rec) {
		return true
	}
	for _, t := range m.tokens {
		if strings.Contains(rec, t) {
			return true
		}
	}
	return false
}

// matchString reports whether the engine's string act fits the recorded
// string rec, placeholders matching anything.
func (m *matcher) matchString(rec, act string) bool {
	if rec == act || bareWildcards[rec] {
		return true
	}
	if !m.wild(rec) {
		return false
	}
	re, ok := m.cache[rec]
	if !ok {
		alts := []string{placeholderRe.String()}
		for _, t := range m.tokens {
			alts = append(alts, regexp.QuoteMeta(t))
		}
		tokRe := regexp.MustCompile(strings.Join(alts, "|"))
		var b strings.Builder
		b.WriteString(`(?s)^`)
		last := 0
		for _, loc := range tokRe.FindAllStringIndex(rec, -1) {
			b.WriteString(regexp.QuoteMeta(rec[last:loc[0]]))
			b.WriteString(`.*?`)
			last = loc[1]
		}
		b.WriteString(regexp.QuoteMeta(rec[last:]))
		b.WriteString(`$`)
		re = regexp.MustCompile(b.String())
		m.cache[rec] = re
	}
	return re.MatchString(act)
}

// wholeWild reports whether the recorded string is nothing but a
// placeholder, so that it stands for any value, not only a string.
func (m *matcher) wholeWild(rec string) bool {
	if bareWildcards[rec] || (placeholderRe.FindString(rec) == rec && rec != "") {
		return true
	}
	for _, t := range m.tokens {
		if rec == t {
			return true
		}
	}
	return false
}

// diff compares a recorded JSON value with the engine's and returns where
// they first differ ("" when they match). LocalStack's snapshots parse JSON
// held in strings, so a string on one side is also tried parsed against a
// structure on the other.
func (m *matcher) diff(rec, act any, path string) string {
	at := path
	if at == "" {
		at = "$"
	}
	bad := func() string {
		return fmt.Sprintf("%s (AWS %s, engine %s)", at, compact(rec, 80), compact(act, 80))
	}
	if s, ok := act.(string); ok {
		if _, recStr := rec.(string); !recStr && rec != nil {
			if v, err := decode([]byte(s)); err == nil {
				if _, isStr := v.(string); !isStr {
					return m.diff(rec, v, path)
				}
			}
		}
	}
	switch r := rec.(type) {
	case nil:
		if act == nil {
			return ""
		}
	case bool:
		if a, ok := act.(bool); ok && a == r {
			return ""
		}
	case json.Number:
		if a, ok := act.(json.Number); ok && numEqual(r, a) {
			return ""
		}
	case string:
		if a, ok := act.(string); ok {
			if m.matchString(r, a) {
				return ""
			}
			return bad()
		}
		if m.wholeWild(r) {
			return ""
		}
		if v, err := decode([]byte(r)); err == nil {
			if _, isStr := v.(string); !isStr {
				return m.diff(v, act, path)
			}
		}
	case []any:
		a, ok := act.([]any)
		if !ok {
			return bad()
		}
		if len(a) != len(r) {
			return fmt.Sprintf("%s (length: AWS %d, engine %d)", at, len(r), len(a))
		}
		for i := range r {
			if d := m.diff(r[i], a[i], fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	case map[string]any:
		a, ok := act.(map[string]any)
		if !ok {
			return bad()
		}
		keys := make([]string, 0, len(r))
		for k := range r {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			av, ok := a[k]
			if !ok {
				return fmt.Sprintf("%s.%s (missing in engine)", path, k)
			}
			if d := m.diff(r[k], av, path+"."+k); d != "" {
				return d
			}
		}
		for k := range a {
			if _, ok := r[k]; !ok {
				return fmt.Sprintf("%s.%s (only in engine)", path, k)
			}
		}
		return ""
	}
	return bad()
}

func numEqual(a, b json.Number) bool {
	if a == b {
		return true
	}
	x, ok1 := new(big.Float).SetString(a.String())
	y, ok2 := new(big.Float).SetString(b.String())
	return ok1 && ok2 && x.Cmp(y) == 0
}

// compact renders a value for the report, cut to n bytes.
func compact(v any, n int) string {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	default:
		b, err := marshalRaw(v)
		if err != nil {
			s = "?"
		} else {
			s = string(b)
		}
	}
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}
