package intrinsic

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	mrand "math/rand/v2"
	"strings"
)

// maxInputChars is AWS's input limit for Base64Encode, Base64Decode and Hash.
const maxInputChars = 10000

// maxRangeItems is AWS's limit on the array States.ArrayRange builds.
const maxRangeItems = 1000

// ---- generic ----

// format implements States.Format. A literal template is read with its
// escapes intact, so '\{\}' is text while '{}' is a placeholder.
func format(c *Call, _ *Env, args []any) (any, error) {
	tmpl, ok := args[0].(string)
	if !ok {
		return nil, c.invalid("")
	}
	if c.args[0].kind == argString {
		tmpl = c.args[0].raw
	}
	parts, holes, msg := splitTemplate(tmpl)
	if msg != "" {
		return nil, c.fail("Invalid template in "+c.name+": "+msg, ErrInvalidArguments)
	}
	if holes != len(args)-1 {
		return nil, c.invalid(": number of arguments do not match the occurrences of {}.")
	}
	var b strings.Builder
	for i, p := range parts {
		b.WriteString(p)
		if i < holes {
			writeJava(&b, args[i+1])
		}
	}
	return b.String(), nil
}

// splitTemplate cuts a template at its {} placeholders. It returns the text
// around them (len(parts) == holes+1) or an AWS-worded problem.
func splitTemplate(t string) (parts []string, holes int, problem string) {
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		switch c := t[i]; c {
		case '\\':
			if i+1 < len(t) && strings.IndexByte(`'{}\`, t[i+1]) >= 0 {
				i++
				b.WriteByte(t[i])
			} else {
				b.WriteByte(c)
			}
		case '{':
			if i+1 >= len(t) || t[i+1] != '}' {
				return nil, 0, "matching '}' not found for '{'."
			}
			i++
			parts = append(parts, b.String())
			b.Reset()
			holes++
		case '}':
			return nil, 0, "matching '{' not found for '}'."
		default:
			b.WriteByte(c)
		}
	}
	return append(parts, b.String()), holes, ""
}

// ---- JSON ----

// stringToJSON implements States.StringToJson. AWS returns null for an empty
// or blank string.
func stringToJSON(c *Call, _ *Env, args []any) (any, error) {
	s, ok := args[0].(string)
	if !ok {
		return nil, c.invalid("")
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, c.invalid("")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, c.invalid("")
	}
	return normZero(v), nil
}

// normZero rewrites integer -0 as 0 throughout v.
func normZero(v any) any {
	switch t := v.(type) {
	case json.Number:
		return normNumber(t)
	case []any:
		for i := range t {
			t[i] = normZero(t[i])
		}
	case map[string]any:
		for k := range t {
			t[k] = normZero(t[k])
		}
	}
	return v
}

func jsonToString(_ *Call, _ *Env, args []any) (any, error) {
	return compactJSON(args[0]), nil
}

// jsonMerge implements States.JsonMerge. Only the shallow mode exists: a deep
// flag of true fails; AWS treats any other third argument as false.
func jsonMerge(c *Call, _ *Env, args []any) (any, error) {
	a, ok1 := args[0].(map[string]any)
	b, ok2 := args[1].(map[string]any)
	if !ok1 || !ok2 || args[2] == true {
		return nil, c.invalid("")
	}
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out, nil
}

// ---- arrays ----

func array(_ *Call, _ *Env, args []any) (any, error) {
	out := make([]any, len(args))
	copy(out, args)
	return out, nil
}

func arrayPartition(c *Call, _ *Env, args []any) (any, error) {
	arr, ok := args[0].([]any)
	size, ok2 := truncInt32(args[1])
	if !ok || !ok2 || size <= 0 {
		return nil, c.invalid("")
	}
	n := int(size)
	out := make([]any, 0, (len(arr)+n-1)/n)
	for i := 0; i < len(arr); i += n {
		end := min(i+n, len(arr))
		chunk := make([]any, end-i)
		copy(chunk, arr[i:end])
		out = append(out, chunk)
	}
	return out, nil
}

func arrayContains(c *Call, _ *Env, args []any) (any, error) {
	arr, ok := args[0].([]any)
	if !ok {
		return nil, c.invalid("")
	}
	for _, e := range arr {
		if equal(e, args[1]) {
			return true, nil
		}
	}
	return false, nil
}

// arrayRange implements States.ArrayRange: start to end inclusive by step,
// at most 1000 items. A step pointing away from end gives [].
func arrayRange(c *Call, _ *Env, args []any) (any, error) {
	start, ok1 := truncInt32(args[0])
	end, ok2 := truncInt32(args[1])
	step, ok3 := truncInt32(args[2])
	if !ok1 || !ok2 || !ok3 || step == 0 {
		return nil, c.invalid("")
	}
	s, e, st := int64(start), int64(end), int64(step)
	var count int64
	if st > 0 && e >= s || st < 0 && e <= s {
		count = (e-s)/st + 1
	}
	if count > maxRangeItems {
		return nil, c.invalid("")
	}
	out := make([]any, count)
	for i := range out {
		out[i] = intNumber(s + int64(i)*st)
	}
	return out, nil
}

// arrayGetItem implements States.ArrayGetItem. The index is truncated (AWS
// returns item 1 for index 1.2); on an empty array AWS returns null instead of
// failing.
func arrayGetItem(c *Call, _ *Env, args []any) (any, error) {
	arr, ok := args[0].([]any)
	idx, ok2 := truncInt32(args[1])
	if !ok || !ok2 || idx < 0 {
		return nil, c.invalid("")
	}
	if len(arr) == 0 {
		return nil, nil
	}
	if int(idx) >= len(arr) {
		return nil, c.invalid("")
	}
	return arr[idx], nil
}

func arrayLength(c *Call, _ *Env, args []any) (any, error) {
	arr, ok := args[0].([]any)
	if !ok {
		return nil, c.invalid("")
	}
	return intNumber(int64(len(arr))), nil
}

// arrayUnique keeps the first occurrence of each value, in order.
func arrayUnique(c *Call, _ *Env, args []any) (any, error) {
	arr, ok := args[0].([]any)
	if !ok {
		return nil, c.invalid("")
	}
	seen := make(map[string]struct{}, len(arr))
	out := make([]any, 0, len(arr))
	for _, e := range arr {
		k := canonical(e)
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		out = append(out, e)
	}
	return out, nil
}

// ---- encoding and hashing ----

func base64Encode(c *Call, _ *Env, args []any) (any, error) {
	s, ok := args[0].(string)
	if !ok || utf16Len(s) > maxInputChars {
		return nil, c.invalid("")
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

// base64Decode implements States.Base64Decode. AWS decodes leniently:
// characters outside the alphabet are skipped, padding is optional, decoding
// stops at the first '=', and left-over bits are dropped ('aGVsbG8' is
// "hello"; '!!!invalid!!!' and ' YWJjZA== ' decode too).
func base64Decode(c *Call, _ *Env, args []any) (any, error) {
	s, ok := args[0].(string)
	if !ok || utf16Len(s) > maxInputChars {
		return nil, c.invalid("")
	}
	return javaUTF8(decodeLenient(s)), nil
}

func decodeLenient(s string) []byte {
	out := make([]byte, 0, len(s)*3/4)
	var acc uint32
	n := 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch == '=' {
			break
		}
		v := b64Value(ch)
		if v < 0 {
			continue
		}
		acc = acc<<6 | uint32(v)
		if n++; n == 4 {
			out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	switch n {
	case 2:
		out = append(out, byte(acc>>4))
	case 3:
		out = append(out, byte(acc>>10), byte(acc>>2))
	}
	return out
}

// b64Value accepts both the standard and the URL-safe alphabet.
func b64Value(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+' || c == '-':
		return 62
	case c == '/' || c == '_':
		return 63
	}
	return -1
}

// hashFunc implements States.Hash. The algorithm name must match exactly
// (AWS rejects "sha-256", "SHA256" and "MD-5"). AWS hashes the text form of
// non-string data instead of failing.
func hashFunc(c *Call, _ *Env, args []any) (any, error) {
	data, ok := args[0].(string)
	if !ok {
		data = javaString(args[0])
	}
	algo, ok := args[1].(string)
	if !ok || utf16Len(data) > maxInputChars {
		return nil, c.invalid("")
	}
	h := newHash(algo)
	if h == nil {
		return nil, c.invalid("")
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func newHash(algo string) hash.Hash {
	switch algo {
	case "MD5":
		return md5.New()
	case "SHA-1":
		return sha1.New()
	case "SHA-256":
		return sha256.New()
	case "SHA-384":
		return sha512.New384()
	case "SHA-512":
		return sha512.New()
	}
	return nil
}

// ---- math ----

// mathRandom implements States.MathRandom: an integer in [start, end), bounds
// truncated to integers (AWS rejects MathRandom(1.4, 1.6) because both become
// 1). With a seed the value is computed as java.util.Random(seed) would.
func mathRandom(c *Call, env *Env, args []any) (any, error) {
	start, ok1 := truncInt32(args[0])
	end, ok2 := truncInt32(args[1])
	if !ok1 || !ok2 || start >= end {
		return nil, c.invalid("")
	}
	lo, hi := int64(start), int64(end)-1
	if len(args) == 3 {
		seed, ok := seedOf(args[2])
		bound := hi - lo + 1
		if !ok || bound > 1<<31-1 {
			return nil, c.invalid("")
		}
		return intNumber(lo + int64(javaNextInt(seed, int32(bound)))), nil
	}
	var v int64
	if env.Rand != nil {
		v = env.Rand(lo, hi)
	} else {
		v = lo + mrand.Int64N(hi-lo+1)
	}
	return intNumber(v), nil
}

func seedOf(v any) (int64, bool) {
	n, ok := asNumber(v)
	switch {
	case !ok:
		return 0, false
	case n.isInt && !n.big:
		return n.i, true
	case n.f != n.f || n.f >= 1<<63 || n.f < -(1<<63):
		return 0, false
	}
	return int64(n.f), true
}

// javaNextInt is new java.util.Random(seed).nextInt(bound).
func javaNextInt(seed int64, bound int32) int32 {
	const mult, add, mask = 0x5DEECE66D, 0xB, 1<<48 - 1
	s := (seed ^ mult) & mask
	next := func() int32 {
		s = (s*mult + add) & mask
		return int32(s >> 17) // next(31)
	}
	if bound&(-bound) == bound {
		return int32((int64(bound) * int64(next())) >> 31)
	}
	for {
		bits := next()
		val := bits % bound
		if bits-val+(bound-1) >= 0 { // int32 overflow means "retry"
			return val
		}
	}
}

// mathAdd implements States.MathAdd: both operands rounded half up (Java
// Math.round), each and the sum within the int32 range.
func mathAdd(c *Call, _ *Env, args []any) (any, error) {
	a, ok1 := roundInt32(args[0])
	b, ok2 := roundInt32(args[1])
	sum := int64(a) + int64(b)
	if !ok1 || !ok2 || sum < -1<<31 || sum > 1<<31-1 {
		return nil, c.invalid("")
	}
	return intNumber(sum), nil
}

// ---- strings ----

// stringSplit implements States.StringSplit like Java's StringTokenizer: every
// character of the delimiter string is a delimiter and empty tokens are
// dropped (", , ," split on "," is [" ", " "]).
func stringSplit(c *Call, _ *Env, args []any) (any, error) {
	s, ok1 := args[0].(string)
	delims, ok2 := args[1].(string)
	if !ok1 || !ok2 {
		return nil, c.invalid("")
	}
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return strings.ContainsRune(delims, r)
	})
	out := make([]any, len(fields))
	for i, f := range fields {
		out[i] = f
	}
	return out, nil
}

// ---- unique ids ----

func uuidFunc(_ *Call, env *Env, _ []any) (any, error) {
	if env.UUID != nil {
		return env.UUID(), nil
	}
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]), nil
}
