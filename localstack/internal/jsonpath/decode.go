package jsonpath

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// Decode parses one JSON value into the data model this package works on:
// map[string]any, []any, string, json.Number, bool and nil (never float64).
// Whitespace may follow the value; anything else is [ErrTrailingData].
func Decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("jsonpath: decode: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, ErrTrailingData
	}
	return v, nil
}
