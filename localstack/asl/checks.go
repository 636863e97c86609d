package asl

import (
	"errors"
	"strings"
	"unicode"

	"github.com/lambdakit/lambdakit/localstack/internal/intrinsic"
	"github.com/lambdakit/lambdakit/localstack/internal/jsonpath"
)

var errNotReference = errors.New("asl: not a reference path")

// checkPath reports whether s is a JSONPath the States Language accepts
// here: any path ($ or $$ for the context object), or a reference path
// when reference is set.
func checkPath(s string, reference bool) error {
	if rest, ok := variablePath(s); ok {
		s = "$" + rest // a variable reference: $name, then a path within it
	}
	p, err := jsonpath.Parse(s)
	if err != nil {
		return err
	}
	if reference && !p.IsReference() {
		return errNotReference
	}
	return nil
}

// variablePath reports whether s references a workflow variable ($name,
// $name.field, $name[0]) and returns the path after the name.
func variablePath(s string) (rest string, ok bool) {
	if len(s) < 2 || s[0] != '$' || !(s[1] == '_' || unicode.IsLetter(rune(s[1]))) {
		return "", false
	}
	i := 1
	for i < len(s) && (s[i] == '_' || unicode.IsLetter(rune(s[i])) || unicode.IsDigit(rune(s[i]))) {
		i++
	}
	return s[i:], true
}

// checkDynamic reports whether s may be the value of a field whose name ends
// in ".$": a path, or an intrinsic function call.
func checkDynamic(s string) error {
	if strings.HasPrefix(s, "States.") {
		_, err := intrinsic.Parse(s)
		return err
	}
	return checkPath(s, false)
}
