// Package intrinsic parses and evaluates the Amazon States Language intrinsic
// functions of the JSONPath query language (States.Format, States.Array,
// States.MathAdd and the other 15) the way AWS Step Functions does.
//
// An engine parses each Parameters or ResultSelector value whose field name
// ends in ".$" and whose value starts with "States." when the state machine is
// created, and evaluates it each time the state runs:
//
//	call, err := intrinsic.Parse("States.Format('Hello, {}!', $.name)")
//	if err != nil {
//		// *SyntaxError: CreateStateMachine fails with InvalidDefinition.
//	}
//	v, err := call.Eval(intrinsic.Env{Resolve: resolvePath})
//	if err != nil {
//		// *Error, Name "States.Runtime": the execution fails.
//	}
//
// Values follow encoding/json with Decoder.UseNumber: map[string]any, []any,
// string, json.Number, bool and nil; results never contain float64.
//
// # What AWS checks when
//
// At creation time AWS rejects only what the grammar rejects: unknown function
// names, unbalanced quotes, brackets or parentheses, escapes in string
// literals other than \' \{ \} and \\ (so \" and \n are invalid), and nesting
// deeper than 10 calls. Everything else, wrong argument counts and literal
// arguments of the wrong type included, is accepted and fails the execution
// with error States.Runtime and a cause such as
//
//	There was an error while evaluating the intrinsic function: States.ArrayGetItem($.a, 3). Invalid arguments in States.ArrayGetItem
//
// (the engine prefixes "An error occurred while executing the state 'S'
// (entered at the event id #2). "). States.Runtime is not matched by a Retry or
// Catch on States.ALL. [Call.Validate] reports the statically visible subset of
// these problems for linting.
//
// # Behaviour recorded on AWS
//
//   - Numbers given where integers are needed are truncated toward zero
//     (ArrayRange, ArrayPartition, ArrayGetItem, MathRandom) except in
//     MathAdd, which rounds half up like Java's Math.round (-1.5 gives -1,
//     2.5 gives 3). MathAdd operands and sum must fit in int32.
//   - States.Format renders arguments like Java's String.valueOf: null as
//     "null", objects as {a=1, b=[]}; the argument count must match the {}
//     count.
//   - States.StringSplit splits on every character of the delimiter string
//     and drops empty tokens; States.StringToJson of "" or " " is null.
//   - States.MathRandom returns an integer in [start, end); start must be
//     below end.
//   - States.ArrayRange is inclusive and limited to 1000 items; Base64Encode,
//     Base64Decode and Hash take at most 10,000 characters; Base64Decode is
//     lenient about padding and stray characters; Hash hashes the text form of
//     non-string data.
//   - States.JsonMerge is shallow; a deep flag of true fails.
//
// See https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html.
package intrinsic
