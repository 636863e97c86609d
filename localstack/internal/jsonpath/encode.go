package jsonpath

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Encode serialises v as compact JSON the way Step Functions (Jackson, by
// default) prints it: only '"', '\\' and control characters are escaped (\b \f \n \r \t, others
// as \u00XX with upper-case hex); '/', '<', '>', '&', U+2028 and non-ASCII
// text are written as they are. Object keys are sorted (Go maps have no
// order; Step Functions keeps the input's). v is a value as [Decode] gives it.
func Encode(v any) string {
	var b strings.Builder
	writeJSON(&b, v)
	return b.String()
}

func writeJSON(b *strings.Builder, v any) {
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		AppendString(b, t)
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case json.Number:
		b.WriteString(string(t))
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(t) {
			if i > 0 {
				b.WriteByte(',')
			}
			AppendString(b, k)
			b.WriteByte(':')
			writeJSON(b, t[k])
		}
		b.WriteByte('}')
	default:
		// Not a value of the JSON data model (a Go value a test's task
		// returned): encoding/json decides.
		data, err := json.Marshal(t)
		if err != nil {
			data = []byte("null")
		}
		b.Write(data)
	}
}

// AppendString writes s as a JSON string, escaped as [Encode] escapes it.
func AppendString(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b.WriteString("\uFFFD")
			} else {
				b.WriteString(s[i : i+size])
			}
			i += size
			continue
		}
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xF])
			} else {
				b.WriteByte(c)
			}
		}
		i++
	}
	b.WriteByte('"')
}
