// Package asl parses and validates Amazon States Language definitions the way
// AWS Step Functions does, for the test bed's Step Functions engine.
//
// [Parse] returns a [*Definition] whose states hold exactly the fields their
// type allows, with defaults applied (a Retrier's IntervalSeconds 1,
// MaxAttempts 3, BackoffRate 2.0), or a [*DefinitionError] with one
// [Diagnostic] per problem, worded and located as CreateStateMachine and
// ValidateStateMachineDefinition report them (SCHEMA_VALIDATION_FAILED,
// MISSING_TRANSITION_TARGET, MISSING_END_STATE, DUPLICATE_STATE_NAME,
// INVALID_JSON_DESCRIPTION):
//
//	def, err := asl.Parse(definition)
//	var invalid *asl.DefinitionError
//	if errors.As(err, &invalid) {
//		for _, d := range invalid.Diagnostics { ... }
//	}
//
// Values evaluated at run time (payload templates, Result, Assign, Output,
// Arguments and Choice operands) stay decoded JSON as encoding/json gives it
// with UseNumber: map[string]any, []any, string, json.Number, bool and nil.
// Paths and intrinsic function calls are checked here; evaluating them is
// the engine's job.
//
// The States Language: https://states-language.net/spec.html. Diagnostic
// codes: https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinitionDiagnostic.html.
// AWS says not to rely on the wording of messages; codes and locations are
// what the tests here pin down, from AWS-recorded responses where they exist.
package asl
