package asl_test

import (
	"errors"
	"fmt"

	"github.com/lambdakit/lambdakit/localstack/asl"
)

func ExampleParse() {
	_, err := asl.Parse([]byte(`{
		"StartAt": "pass1",
		"States": {
			"pass1": {"Type": "Pass", "Next": "pass3"},
			"pass2": {"Type": "Pass", "End": true}
		}
	}`))
	var invalid *asl.DefinitionError
	if errors.As(err, &invalid) {
		for _, d := range invalid.Diagnostics {
			fmt.Println(d.Code, d.Location, d.Message)
		}
	}
	// Output:
	// MISSING_TRANSITION_TARGET /States/pass1/Next Missing 'Next' target: pass3
	// MISSING_TRANSITION_TARGET /States/pass2 State "pass2" is not reachable.
}
