package jsonata

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	mrand "math/rand/v2"
	"reflect"
	"strconv"
	"strings"

	lib "github.com/blues/jsonata-go"
	"github.com/blues/jsonata-go/jtypes"
)

// maxRange bounds the arrays $range builds, as the range operator (..) of
// the reference implementation is bounded (D2014).
const maxRange = 10_000_000

// extensions returns the functions Step Functions adds to JSONata, the
// replacements of $error and $assert that keep their error codes, and the
// $assert the library lacks. A fresh map per call keeps no shared state.
func extensions() map[string]lib.Extension {
	return map[string]lib.Extension{
		"partition": {Func: fnPartition},
		"range":     {Func: fnRange},
		"hash":      {Func: fnHash},
		"random":    {Func: fnRandom},
		"uuid":      {Func: fnUUID},
		"parse":     {Func: fnParse},
		"error":     {Func: fnRaise},
		"assert":    {Func: fnAssert},
		"string": {
			Func:               fnString,
			EvalContextHandler: func(args []reflect.Value) bool { return len(args) == 0 },
		},
	}
}

// asArray applies JSONata's singleton-to-array coercion.
func asArray(v any) []any {
	if a, ok := v.([]any); ok {
		return a
	}
	return []any{v}
}

func asInteger(v any) (int, bool) {
	f, ok := v.(float64)
	if !ok || f != math.Trunc(f) || math.Abs(f) > maxRange {
		return 0, false
	}
	return int(f), true
}

// fnPartition implements $partition(array, size): consecutive chunks of
// size elements, the last one shorter when the length is not a multiple.
func fnPartition(array, size any) (any, error) {
	n, ok := asInteger(size)
	if !ok || n <= 0 {
		return nil, argError("partition", 2)
	}
	items := asArray(array)
	out := make([]any, 0, (len(items)+n-1)/n)
	for i := 0; i < len(items); i += n {
		out = append(out, append([]any(nil), items[i:min(i+n, len(items))]...))
	}
	return out, nil
}

// fnRange implements $range(start, end, step): start, start+step, ... up to
// and including end. The result is a JSONata sequence, so (as AWS records)
// a single element comes back as that element and no element as undefined.
func fnRange(start, end, step any) (any, error) {
	a, ok1 := start.(float64)
	b, ok2 := end.(float64)
	s, ok3 := step.(float64)
	switch {
	case !ok1:
		return nil, argError("range", 1)
	case !ok2:
		return nil, argError("range", 2)
	case !ok3 || s == 0:
		return nil, argError("range", 3)
	}
	count := math.Floor((b-a)/s) + 1
	if count > maxRange {
		return nil, &fnError{"D2014", "The size of the sequence allocated by the range operator (..) must not exceed 1e7"}
	}
	var out []any
	for i := 0; i < int(count); i++ {
		out = append(out, a+float64(i)*s)
	}
	switch len(out) {
	case 0:
		return nil, jtypes.ErrUndefined
	case 1:
		return out[0], nil
	}
	return out, nil
}

// fnHash implements $hash(value, algorithm) with the algorithms of
// States.Hash: MD5, SHA-1, SHA-256, SHA-384 and SHA-512, as lowercase hex.
func fnHash(value, algorithm any) (any, error) {
	s, ok := value.(string)
	if !ok {
		return nil, argError("hash", 1)
	}
	name, _ := algorithm.(string)
	var h hash.Hash
	switch name {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return nil, argError("hash", 2)
	}
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fnRandom implements $random([seed]): a number in [0, 1), the same for the
// same seed.
func fnRandom(seed ...any) (any, error) {
	switch len(seed) {
	case 0:
		return mrand.Float64(), nil
	case 1:
		f, ok := seed[0].(float64)
		if !ok {
			return nil, argError("random", 1)
		}
		bits := uint64(int64(f))
		return mrand.New(mrand.NewPCG(bits, bits^0x9e3779b97f4a7c15)).Float64(), nil
	}
	return nil, argError("random", 2)
}

// fnUUID implements $uuid(): a random version 4 UUID.
func fnUUID() (string, error) {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand documents it)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	x := hex.EncodeToString(b[:])
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:], nil
}

// fnParse implements $parse(jsonString).
func fnParse(value any) (any, error) {
	s, ok := value.(string)
	if !ok {
		return nil, argError("parse", 1)
	}
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, &fnError{"D3140", "Malformed JSON passed to function $parse: " + err.Error()}
	}
	if d.More() {
		return nil, &fnError{"D3140", "Malformed JSON passed to function $parse: trailing data"}
	}
	return toInternal(v)
}

// fnRaise implements $error([message]) with the reference's code D3137.
func fnRaise(message ...any) (any, error) {
	msg := "$error() function evaluated"
	if len(message) > 0 {
		s, ok := message[0].(string)
		if !ok {
			return nil, argError("error", 1)
		}
		msg = s
	}
	return nil, &fnError{"D3137", msg}
}

// fnAssert implements $assert(condition[, message]) (JSONata 1.8+, code D3141).
func fnAssert(cond any, message ...any) (any, error) {
	b, ok := cond.(bool)
	if !ok {
		return nil, argError("assert", 1)
	}
	if b {
		return nil, jtypes.ErrUndefined
	}
	msg := "$assert() statement failed"
	if len(message) > 0 {
		msg = fmt.Sprint(message[0])
	}
	return nil, &fnError{"D3141", msg}
}

// fnString implements $string(value[, prettify]) as the reference does,
// which the library does not: numbers are first rounded to 15 significant
// digits, so $string(0.1+0.2) is "0.3", and -0 is "0".
func fnString(value any, prettify ...bool) (any, error) {
	if s, ok := value.(string); ok {
		return s, nil
	}
	if _, ok := value.(jtypes.Callable); ok {
		return "", nil
	}
	doc, err := fromInternal(roundNumbers(value))
	if err != nil {
		return "", nil
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if len(prettify) > 0 && prettify[0] {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(doc); err != nil {
		return nil, &fnError{"D1001", err.Error()}
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// roundNumbers rounds every number in v to 15 significant digits.
func roundNumbers(v any) any {
	switch x := v.(type) {
	case float64:
		r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 15, 64), 64)
		return r
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = roundNumbers(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = roundNumbers(e)
		}
		return out
	}
	return v
}
