// Package jsonata evaluates JSONata expressions as AWS Step Functions does in
// states with "QueryLanguage": "JSONata": the text between {% and %} in
// Arguments, Output, Assign, Condition, Items and the other JSONata fields.
//
//	e, err := jsonata.Compile("$sum($states.input.orders.price)")
//	if err != nil {
//		// *SyntaxError: the definition is invalid.
//	}
//	v, ok, err := e.Eval(ctx, input, map[string]any{"states": states, "x": x})
//	switch {
//	case err != nil: // *EvalError: States.QueryEvaluationError, "... threw an error during evaluation. T1006: ..."
//	case !ok: // undefined: "... returned nothing (undefined)."
//	}
//
// Documents are what encoding/json produces with Decoder.UseNumber:
// map[string]any, []any, string, json.Number, bool and nil, both for input
// and variables and for results. Numbers are IEEE doubles, as in JavaScript,
// and results are rendered as JSON.stringify renders them: 3, 0.30000000000000004,
// 1e+21, 1e-7.
//
// # What Step Functions changes
//
// AWS implements JSONata 2.0.6 with every built-in function except $eval
// (use $parse), and adds $partition, $range, $hash, $random([seed]), $uuid
// and $parse; see
// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html.
// Behaviour recorded against AWS (LocalStack snapshot tests under
// tests/aws/services/stepfunctions/v2) that this package reproduces:
// $range(1, 9, 9) is 1, not [1]; $partition([0], 1) is [[0]]; $parse('-0')
// is 0; an unknown function fails with "T1006: Attempted to invoke a
// non-function"; a function result is "an unsupported result type"
// ([ErrUnsupportedResult]).
//
// # Evaluator
//
// The evaluator is github.com/blues/jsonata-go (a port of jsonata-js 1.5.4
// with most later functions), wrapped to fix what Step Functions users
// would see: JSON null is kept distinct from undefined, numbers are
// rendered as JavaScript does, $string rounds to 15 significant digits,
// errors carry the reference implementation's codes, and $assert, $error,
// $eval and the AWS functions are supplied or replaced per evaluation, so
// no package-level state is shared. Known gaps: $formatInteger and
// $parseInteger are missing; the & operator does not round as $string
// does; object keys come out sorted; a user-defined function that recurses
// without end overflows the Go stack instead of failing with U1001.
package jsonata
