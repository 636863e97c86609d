package jsonata

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/blues/jsonata-go/jtypes"
)

// The evaluator represents a JSON number as float64 and JSON null as a nil
// *any (an invalid reflect.Value would be JSONata's undefined), so documents
// are translated on the way in and out.

// jnull is the evaluator's JSON null.
var jnull = (*any)(nil)

// toInternal converts a document decoded with UseNumber into the evaluator's
// representation.
func toInternal(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return jnull, nil
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return nil, &EvalError{Code: "D1001", Msg: "Number out of range: " + string(x)}
		}
		return f, nil
	case float64:
		return x, nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case string, bool:
		return x, nil
	case []any, map[string]any:
		return mapMembers(x, toInternal)
	default:
		return nil, &EvalError{Msg: "unsupported input type " + reflect.TypeOf(v).String()}
	}
}

// mapMembers rebuilds an array or object with convert applied to each member.
func mapMembers(v any, convert func(any) (any, error)) (any, error) {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := convert(e)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, err := convert(e)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	}
	return convert(v)
}

// errUnsupported marks a result that JSON cannot hold (a function).
type errUnsupported struct{}

func (errUnsupported) Error() string { return "unsupported result type" }

// fromInternal converts an evaluator result back into a document decoded
// with UseNumber: numbers become json.Number rendered as JavaScript does.
func fromInternal(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case *any:
		if x == nil {
			return nil, nil
		}
		return fromInternal(*x)
	case string, bool:
		return x, nil
	case float64:
		return jsNumber(x), nil
	case json.Number:
		return x, nil
	case []any, map[string]any:
		return mapMembers(x, fromInternal)
	case jtypes.Callable:
		return nil, errUnsupported{}
	}
	return fromReflect(reflect.ValueOf(v))
}

// fromReflect handles the other Go types the evaluator produces, such as
// []string from $split, int from $count and reflect.Value wrappers.
func fromReflect(rv reflect.Value) (any, error) {
	if rv.Type() == jtypes.TypeValue {
		inner := rv.Interface().(reflect.Value)
		if !inner.IsValid() {
			return nil, nil
		}
		return fromInternal(inner.Interface())
	}
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return jsNumber(float64(rv.Int())), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return jsNumber(float64(rv.Uint())), nil
	case reflect.Float32, reflect.Float64:
		return jsNumber(rv.Float()), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Interface, reflect.Pointer:
		if rv.IsNil() {
			return nil, nil
		}
		return fromInternal(rv.Elem().Interface())
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			c, err := fromInternal(rv.Index(i).Interface())
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, errUnsupported{}
		}
		out := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			c, err := fromInternal(it.Value().Interface())
			if err != nil {
				return nil, err
			}
			out[it.Key().String()] = c
		}
		return out, nil
	case reflect.Func:
		return nil, errUnsupported{}
	}
	return nil, errUnsupported{}
}

// jsNumber renders f as ECMAScript's Number.prototype.toString does, which
// is what JSON.stringify writes: the shortest digits that round-trip, plain
// notation for magnitudes in [1e-6, 1e21) and otherwise exponent notation
// such as 1e+21 or 1.5e-7. Negative zero is written 0.
func jsNumber(f float64) json.Number {
	if f == 0 {
		return "0"
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		// JSON.stringify writes null; the evaluator never produces these.
		return "0"
	}
	var b strings.Builder
	if f < 0 {
		b.WriteByte('-')
		f = -f
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, expPart, _ := strings.Cut(s, "e")
	digits := strings.Replace(mant, ".", "", 1)
	exp, _ := strconv.Atoi(expPart)
	k, n := len(digits), exp+1
	switch {
	case k <= n && n <= 21:
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", n-k))
	case 0 < n && n <= 21:
		b.WriteString(digits[:n])
		b.WriteByte('.')
		b.WriteString(digits[n:])
	case -6 < n && n <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -n))
		b.WriteString(digits)
	default:
		b.WriteByte(digits[0])
		if k > 1 {
			b.WriteByte('.')
			b.WriteString(digits[1:])
		}
		b.WriteByte('e')
		if n-1 >= 0 {
			b.WriteByte('+')
		} else {
			b.WriteByte('-')
		}
		b.WriteString(strconv.Itoa(abs(n - 1)))
	}
	return json.Number(b.String())
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}
