package callback

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/go-json-experiment/json/jsontext"
)

// errNotFound reports a JSON path that is not in the document.
var errNotFound = errors.New("not found")

// newDecoder reads data as leniently as encoding/json, which later decodes
// the input: duplicate names and invalid UTF-8 are accepted, not rejected.
// A *bytes.Buffer lets the decoder parse data in place instead of copying it.
func newDecoder(data []byte) *jsontext.Decoder {
	return jsontext.NewDecoder(bytes.NewBuffer(data), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
}

// isName reports whether raw, a JSON string as it appears in the document,
// is name. The common unescaped case is compared in place, without
// allocating a string per member passed over.
func isName(raw jsontext.Value, name string) bool {
	if bytes.IndexByte(raw, '\\') < 0 {
		return len(raw) == len(name)+2 && string(raw[1:len(raw)-1]) == name
	}
	s, err := unquote(raw)
	return err == nil && s == name
}

// unquote returns the string a raw JSON string denotes.
func unquote(raw jsontext.Value) (string, error) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), nil
	}
	b, err := jsontext.AppendUnquote(nil, raw)
	return string(b), err
}

// lookup returns the raw JSON value at path in data, scanning the document
// without decoding the values it passes over. It returns errNotFound when a
// name on the path is missing or a value on the way is not an object.
func lookup(data []byte, path []string) (jsontext.Value, error) {
	dec := newDecoder(data)
	for depth, name := range path {
		switch dec.PeekKind() {
		case '{':
		case 0: // invalid JSON or the end of the input
			if _, err := dec.ReadToken(); err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			return nil, errNotFound
		default:
			return nil, errNotFound
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, err
		}
		for {
			if dec.PeekKind() == '}' {
				return nil, errNotFound
			}
			key, err := dec.ReadValue() // a name; the view is valid until the next read
			if err != nil {
				return nil, err
			}
			if isName(key, name) {
				if depth == len(path)-1 {
					return dec.ReadValue()
				}
				break // descend
			}
			if err := dec.SkipValue(); err != nil {
				return nil, err
			}
		}
	}
	return dec.ReadValue() // an empty path is the whole document
}

// findToken returns the first task token found in payload at o's paths. A
// candidate that is present but not a non-empty JSON string is reported, not
// skipped, because it means the state machine put something else there.
func findToken(payload []byte, paths [][]string) (token string, reason string) {
	for _, p := range paths {
		v, err := lookup(payload, p)
		if errors.Is(err, errNotFound) {
			continue
		}
		if err != nil {
			return "", "payload is not valid JSON: " + err.Error()
		}
		if v.Kind() != '"' {
			return "", fmt.Sprintf("%s is a JSON %s, not a string", strings.Join(p, "."), kindName(v.Kind()))
		}
		s, err := unquote(v)
		if err != nil {
			return "", err.Error()
		}
		if s != "" {
			return s, ""
		}
		return "", strings.Join(p, ".") + " is empty"
	}
	return "", ""
}

// findAttrToken returns the first non-empty String message attribute among
// names.
func findAttrToken(msg *events.SQSMessage, names []string) string {
	for _, n := range names {
		if a, ok := msg.MessageAttributes[n]; ok && a.StringValue != nil && *a.StringValue != "" {
			return *a.StringValue
		}
	}
	return ""
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "object"
	case '[':
		return "array"
	case '0':
		return "number"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "value"
}

// tokenRef identifies a task token in logs and errors by a short hash of it.
// A prefix would not do: Step Functions tokens share a long common prefix,
// and the full token is a credential that can answer the task.
type tokenRef string

// String returns "sha256:" and the first 12 hex digits of the token's hash.
func (t tokenRef) String() string {
	sum := sha256.Sum256([]byte(t))
	return "sha256:" + hex.EncodeToString(sum[:6])
}

// LogValue hashes the token only when a record is actually written.
func (t tokenRef) LogValue() slog.Value { return slog.StringValue(t.String()) }
