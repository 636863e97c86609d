package asl

import (
	"errors"
	"strings"

	"github.com/lambdakit/lambdakit/localstack/internal/intrinsic"
	"github.com/lambdakit/lambdakit/localstack/internal/jsonpath"
)

var errNotReference = errors.New("asl: not a reference path")

// checkPath reports whether s is a JSONPath the States Language accepts
// here: any path ($ or $$ for the context object), or a reference path
// when reference is set.
func checkPath(s string, reference bool) error {
	p, err := jsonpath.Parse(s)
	if err != nil {
		return err
	}
	if reference && !p.IsReference() {
		return errNotReference
	}
	return nil
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
