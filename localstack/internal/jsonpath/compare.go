package jsonpath

import (
	"cmp"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// nullish is Jayway 2.0.0's isNullish: null, or the string "null" (so the
// bare literal null and a JSON string "null" compare equal to JSON null).
func nullish(v any) bool {
	s, ok := v.(string)
	return v == nil || ok && s == "null"
}

// safeCompare orders left (the expected value) against right (the model) as
// Jayway 2.0.0's Criteria.safeCompare does. ok is false for pairs it cannot
// compare (ValueCompareException), which makes the criterion false; err is
// set where Java throws a NumberFormatException, which fails the evaluation.
func safeCompare(left, right any) (c int, ok bool, err *evalErr) {
	ln, rn := nullish(left), nullish(right)
	switch {
	case ln && rn:
		return 0, true, nil
	case ln:
		return -1, true, nil
	case rn:
		return 1, true, nil
	}
	switch l := left.(type) {
	case string:
		switch r := right.(type) {
		case string:
			if strings.Contains(l, "'") {
				l = strings.ReplaceAll(l, `\'`, "'")
			}
			return compareUTF16(l, r), true, nil
		case json.Number:
			return compareNumbers(l, string(r))
		case bool:
			return compareBools(strings.EqualFold(l, "true"), r), true, nil
		}
	case json.Number:
		if r, ok := right.(json.Number); ok {
			return compareNumbers(string(l), string(r))
		}
	case bool:
		if r, ok := right.(bool); ok {
			return compareBools(l, r), true, nil
		}
	}
	return 0, false, nil
}

func compareBools(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}

// compareNumbers compares two decimal texts exactly, as new BigDecimal(a)
// .compareTo(new BigDecimal(b)) does, so "1" equals "1.0" and "1e2".
func compareNumbers(a, b string) (int, bool, *evalErr) {
	da, ok := parseDecimal(a)
	if !ok {
		return 0, false, numberFormat(a)
	}
	db, ok := parseDecimal(b)
	if !ok {
		return 0, false, numberFormat(b)
	}
	return compareDecimals(da, db), true, nil
}

func numberFormat(s string) *evalErr {
	return &evalErr{kind: invalid, msg: "NumberFormatException: " + strconv.Quote(s) + " is not a number"}
}

// decimal is a parsed number: 0.hi lo × 10^exp, where the digit string
// hi+lo (kept in two parts to avoid joining them) has no leading or trailing
// zeros; both are empty for zero.
type decimal struct {
	neg    bool
	hi, lo string
	exp    int64
}

// parseDecimal accepts Java BigDecimal's string syntax: an optional sign,
// digits with an optional fraction (at least one digit in all) and an
// optional exponent that fits in 32 bits.
func parseDecimal(s string) (decimal, bool) {
	var d decimal
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		d.neg = s[i] == '-'
		i++
	}
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart, frac := s[intStart:i], ""
	if i < len(s) && s[i] == '.' {
		i++
		fracStart := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		frac = s[fracStart:i]
	}
	if intPart == "" && frac == "" {
		return d, false
	}
	var e int64
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		expStart := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if expStart == i || i-expStart > 10 {
			return d, false
		}
		v, err := strconv.ParseInt(s[expStart:i], 10, 64)
		if err != nil || v > math.MaxInt32 {
			return d, false
		}
		if eneg {
			v = -v
		}
		e = v
	}
	if i != len(s) {
		return d, false
	}
	hi, lo := strings.TrimLeft(intPart, "0"), frac
	if hi == "" {
		lo = strings.TrimLeft(lo, "0")
	}
	if hi == "" && lo == "" {
		return decimal{}, true
	}
	// The value is (hi lo) × 10^(e-len(frac)), that is 0.(hi lo) × 10^exp.
	d.exp = int64(len(hi)+len(lo)) + e - int64(len(frac))
	if lo = strings.TrimRight(lo, "0"); lo == "" {
		hi = strings.TrimRight(hi, "0")
	}
	d.hi, d.lo = hi, lo
	return d, true
}

func (d decimal) digit(k int) byte {
	if k < len(d.hi) {
		return d.hi[k]
	}
	return d.lo[k-len(d.hi)]
}

func compareDecimals(a, b decimal) int {
	sign := func(d decimal) int {
		switch {
		case d.hi == "" && d.lo == "":
			return 0
		case d.neg:
			return -1
		}
		return 1
	}
	sa, sb := sign(a), sign(b)
	if sa != sb || sa == 0 {
		return cmp.Compare(sa, sb)
	}
	c := cmp.Compare(a.exp, b.exp)
	na, nb := len(a.hi)+len(a.lo), len(b.hi)+len(b.lo)
	for k := 0; c == 0 && k < min(na, nb); k++ {
		c = cmp.Compare(a.digit(k), b.digit(k))
	}
	if c == 0 {
		c = cmp.Compare(na, nb)
	}
	return sa * c
}

// compareUTF16 orders strings by UTF-16 code units, as Java's
// String.compareTo does; it differs from Go's byte order only between
// supplementary characters and U+E000..U+FFFF.
func compareUTF16(a, b string) int {
	if a == b {
		return 0
	}
	x, y := a, b
	for x != "" && y != "" {
		rx, nx := utf8.DecodeRuneInString(x)
		ry, ny := utf8.DecodeRuneInString(y)
		if rx != ry {
			if ux, uy := firstUnit(rx), firstUnit(ry); ux != uy {
				return cmp.Compare(ux, uy)
			}
			return cmp.Compare(rx, ry)
		}
		x, y = x[nx:], y[ny:]
	}
	switch {
	case x != "":
		return 1
	case y != "":
		return -1
	}
	return strings.Compare(a, b) // Only invalid UTF-8 gets here.
}

// firstUnit is the first UTF-16 code unit of r.
func firstUnit(r rune) rune {
	if r >= 0x10000 {
		return 0xD800 + (r-0x10000)>>10
	}
	return r
}
