package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// stripJSON5 removes // and /* */ comments and trailing commas, outside
// strings. That is all of JSON5 the templates use.
func stripJSON5(src []byte) []byte {
	var out bytes.Buffer
	inStr, esc := false, false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if inStr {
			out.WriteByte(c)
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		switch {
		case c == '"':
			inStr = true
			out.WriteByte(c)
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			out.WriteByte('\n')
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			i += 2
			for i+1 < len(src) && !(src[i] == '*' && src[i+1] == '/') {
				i++
			}
			i++
		default:
			out.WriteByte(c)
		}
	}
	return stripTrailingCommas(out.Bytes())
}

func stripTrailingCommas(src []byte) []byte {
	var out bytes.Buffer
	inStr, esc := false, false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if inStr {
			out.WriteByte(c)
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		if c == '"' {
			inStr = true
		}
		if c == ',' {
			j := i + 1
			for j < len(src) && (src[j] == ' ' || src[j] == '\t' || src[j] == '\n' || src[j] == '\r') {
				j++
			}
			if j < len(src) && (src[j] == '}' || src[j] == ']') {
				continue
			}
		}
		out.WriteByte(c)
	}
	return out.Bytes()
}

// queryLanguage classifies a definition: its top-level QueryLanguage, or
// "JSONPath+JSONata" when a JSONPath machine has JSONata states.
func queryLanguage(def map[string]any) string {
	top, _ := def["QueryLanguage"].(string)
	if top == "JSONata" {
		return "JSONata"
	}
	mixed := false
	walkStates(def, func(st map[string]any) {
		if ql, _ := st["QueryLanguage"].(string); ql == "JSONata" {
			mixed = true
		}
	})
	if mixed {
		return "JSONPath+JSONata"
	}
	return "JSONPath"
}

// walkStates calls fn on every state, nested ones (Parallel branches, Map
// iterators) included.
func walkStates(def map[string]any, fn func(map[string]any)) {
	states, _ := def["States"].(map[string]any)
	for _, s := range states {
		st, ok := s.(map[string]any)
		if !ok {
			continue
		}
		fn(st)
		if bs, ok := st["Branches"].([]any); ok {
			for _, b := range bs {
				if bm, ok := b.(map[string]any); ok {
					walkStates(bm, fn)
				}
			}
		}
		for _, k := range []string{"Iterator", "ItemProcessor"} {
			if sub, ok := st[k].(map[string]any); ok {
				walkStates(sub, fn)
			}
		}
	}
}

// externalNeeds lists what the definition needs outside the engine: the
// services its Task states call, S3 item readers and result writers,
// credentials, placeholders the test fills in.
func externalNeeds(raw string, def map[string]any) []string {
	need := map[string]bool{}
	if strings.Contains(raw, "${") {
		need["${...} substitution"] = true
	}
	if strings.Contains(raw, "_tbd_") {
		need["_tbd_ placeholder filled by the test"] = true
	}
	walkStates(def, func(st map[string]any) {
		if _, ok := st["Credentials"]; ok {
			need["credentials"] = true
		}
		if st["Type"] == "Map" {
			if _, ok := st["ItemReader"]; ok {
				need["Map ItemReader (s3)"] = true
			}
			if _, ok := st["ResultWriter"]; ok {
				need["Map ResultWriter (s3)"] = true
			}
		}
		if st["Type"] != "Task" {
			return
		}
		res, _ := st["Resource"].(string)
		need["task: "+resourceKind(res)] = true
	})
	out := make([]string, 0, len(need))
	for k := range need {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func resourceKind(res string) string {
	parts := strings.SplitN(res, ":", 7)
	switch {
	case strings.Contains(res, "_tbd_") || strings.Contains(res, "${"):
		return "placeholder resource"
	case len(parts) >= 6 && parts[2] == "lambda":
		return "lambda function"
	case len(parts) >= 6 && parts[2] == "states" && strings.HasPrefix(parts[5], "activity"):
		return "activity"
	case len(parts) >= 7 && parts[2] == "states" && parts[5] == "aws-sdk":
		svc, _, _ := strings.Cut(parts[6], ":")
		return "aws-sdk:" + svc
	case len(parts) >= 6 && parts[2] == "states" && parts[3] == "" && parts[4] == "":
		return parts[5]
	case res == "":
		return "no resource"
	}
	return fmt.Sprintf("other (%.40s)", res)
}

// decode parses JSON keeping numbers exact.
func decode(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("trailing data")
	}
	return v, nil
}
