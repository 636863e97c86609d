package asl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// object is a JSON object that remembers its key order, which the
// diagnostics follow and which tells the order of a definition's states.
type object struct {
	keys []string
	vals map[string]any
	// dups lists the keys given more than once; the last value wins, as in
	// Step Functions' parser.
	dups []string
}

func (o *object) get(k string) (any, bool) {
	v, ok := o.vals[k]
	return v, ok
}

// decodeOrdered decodes one JSON document: objects become *object, arrays
// []any, numbers json.Number. Trailing data is an error.
func decodeOrdered(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &json.SyntaxError{Offset: dec.InputOffset()}
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &object{vals: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, &json.SyntaxError{Offset: dec.InputOffset()}
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				if _, seen := o.vals[k]; seen {
					o.dups = append(o.dups, k)
				} else {
					o.keys = append(o.keys, k)
				}
				o.vals[k] = v
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return arr, nil
		}
		return nil, &json.SyntaxError{Offset: dec.InputOffset()}
	default:
		return t, nil
	}
}

// plain turns a decoded value into the plain form the engine works on:
// *object becomes map[string]any, recursively.
func plain(v any) any {
	switch x := v.(type) {
	case *object:
		m := make(map[string]any, len(x.vals))
		for k, e := range x.vals {
			m[k] = plain(e)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	}
	return v
}

// syntaxDiagnostic describes a JSON syntax error the way Step Functions
// does (INVALID_JSON_DESCRIPTION), with the line and column as location.
func syntaxDiagnostic(data []byte, err error) Diagnostic {
	offset := int64(len(data))
	var se *json.SyntaxError
	if errors.As(err, &se) {
		offset = se.Offset
	}
	line, col := 1, 1
	for _, c := range data[:min(int(offset), len(data))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	msg := err.Error()
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		msg = "Unexpected end-of-input"
	}
	loc := fmt.Sprintf("[Source: (String); line: %d, column: %d]", line, col)
	return Diagnostic{Code: "INVALID_JSON_DESCRIPTION", Message: msg, Location: loc}
}
