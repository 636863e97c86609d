package intrinsic

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lambdakit/lambdakit/localstack/internal/jsonpath"
)

// number is a parsed json.Number. Integers (no '.', 'e' or 'E' in the text)
// and floating-point numbers are kept apart because the Java runtime behind
// AWS keeps them apart too: 1 and 1.0 are different values there.
type number struct {
	isInt bool
	i     int64   // when isInt and fits
	big   bool    // integer that does not fit in int64; f holds its value
	f     float64 // when !isInt, or big
}

func parseNumber(n json.Number) (number, bool) {
	s := string(n)
	if s == "" {
		return number{}, false
	}
	if !strings.ContainsAny(s, ".eE") {
		i, err := strconv.ParseInt(s, 10, 64)
		if err == nil {
			return number{isInt: true, i: i}, true
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !isRange(err) {
			return number{}, false
		}
		return number{isInt: true, big: true, f: f}, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRange(err) {
		return number{}, false
	}
	return number{f: f}, true
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// normNumber turns "-0" into "0", as the JSON parser AWS uses does for integers.
func normNumber(n json.Number) json.Number {
	if n == "-0" {
		return "0"
	}
	return n
}

// floatNumber formats a float64 as a json.Number, integers without a decimal point.
func floatNumber(f float64) json.Number {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return json.Number(strconv.FormatInt(int64(f), 10))
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
}

func intNumber(i int64) json.Number { return json.Number(strconv.FormatInt(i, 10)) }

// asNumber returns v as a number if it is one.
func asNumber(v any) (number, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return number{}, false
	}
	return parseNumber(n)
}

// truncInt32 converts like Java's Number.intValue on the argument AWS sees
// (fractions are truncated toward zero: ArrayRange(1.6, 1.4, 1) is [1]),
// rejecting values outside the int32 range instead of wrapping them.
func truncInt32(v any) (int32, bool) {
	n, ok := asNumber(v)
	if !ok {
		return 0, false
	}
	if n.isInt && !n.big {
		if n.i < math.MinInt32 || n.i > math.MaxInt32 {
			return 0, false
		}
		return int32(n.i), true
	}
	return float32Range(math.Trunc(n.f))
}

// roundInt32 rounds like Java's Math.round (half up: -1.5 becomes -1, 2.5
// becomes 3), which is what States.MathAdd does to its operands.
func roundInt32(v any) (int32, bool) {
	n, ok := asNumber(v)
	if !ok {
		return 0, false
	}
	if n.isInt && !n.big {
		if n.i < math.MinInt32 || n.i > math.MaxInt32 {
			return 0, false
		}
		return int32(n.i), true
	}
	f := math.Floor(n.f)
	if n.f-f >= 0.5 {
		f++
	}
	return float32Range(f)
}

func float32Range(f float64) (int32, bool) {
	if math.IsNaN(f) || f < math.MinInt32 || f > math.MaxInt32 {
		return 0, false
	}
	return int32(f), true
}

// javaString renders a value the way String.valueOf renders the Java objects
// AWS holds: strings raw, null as "null", objects as {k=v, k2=v2} and arrays
// as [a, b]. States.Format uses it (recorded on AWS: {"Arg1": 1, "Arg2": []}
// formats as {Arg1=1, Arg2=[]}). Go maps lose key order, so keys are sorted.
func javaString(v any) string {
	var b strings.Builder
	writeJava(&b, v)
	return b.String()
}

func writeJava(b *strings.Builder, v any) {
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		b.WriteString(t)
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case json.Number:
		b.WriteString(string(t))
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJava(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(t) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			writeJava(b, t[k])
		}
		b.WriteByte('}')
	}
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

func compactJSON(v any) string { return jsonpath.Encode(v) }

func writeJSONString(b *strings.Builder, s string) { jsonpath.AppendString(b, s) }

// equal is deep JSON equality with Java semantics for numbers: integers equal
// integers of the same value, floats equal floats, and 1 never equals 1.0.
func equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case json.Number:
		y, ok := b.(json.Number)
		return ok && numberKey(x) == numberKey(y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equal(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
}

// numberKey is a canonical text for a number that keeps ints and floats apart.
func numberKey(n json.Number) string {
	p, ok := parseNumber(n)
	switch {
	case !ok:
		return "?" + string(n)
	case p.isInt && !p.big:
		return "i" + strconv.FormatInt(p.i, 10)
	case p.isInt:
		return "I" + string(n) // JSON integers have no leading zeros, so the text is canonical
	default:
		if p.f == 0 {
			return "f0" // Java's Double.equals tells 0.0 from -0.0; JSON text rarely does.
		}
		return "f" + strconv.FormatFloat(p.f, 'g', -1, 64)
	}
}

// canonical returns a string that is equal for two values exactly when equal
// reports them equal; ArrayUnique uses it to stay linear.
func canonical(v any) string {
	var b strings.Builder
	writeCanonical(&b, v)
	return b.String()
}

func writeCanonical(b *strings.Builder, v any) {
	switch t := v.(type) {
	case nil:
		b.WriteByte('n')
	case string:
		b.WriteByte('s')
		writeJSONString(b, t)
	case bool:
		if t {
			b.WriteByte('t')
		} else {
			b.WriteByte('F')
		}
	case json.Number:
		b.WriteByte('#')
		b.WriteString(numberKey(t))
		b.WriteByte(';')
	case []any:
		b.WriteByte('[')
		for _, e := range t {
			writeCanonical(b, e)
			b.WriteByte(',')
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for _, k := range sortedKeys(t) {
			writeJSONString(b, k)
			b.WriteByte(':')
			writeCanonical(b, t[k])
			b.WriteByte(',')
		}
		b.WriteByte('}')
	}
}

// utf16Len is the length Java's String.length reports, which is what AWS's
// 10,000-character limits count.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// javaUTF8 decodes bytes as Java's new String(bytes, UTF_8) does, replacing
// each malformed byte with U+FFFD.
func javaUTF8(p []byte) string {
	if utf8.Valid(p) {
		return string(p)
	}
	var b strings.Builder
	for len(p) > 0 {
		r, size := utf8.DecodeRune(p)
		b.WriteRune(r)
		p = p[size:]
	}
	return b.String()
}
