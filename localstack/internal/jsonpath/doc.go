// Package jsonpath implements JSONPath as AWS Step Functions evaluates it in
// the JSONPath query language of the Amazon States Language: InputPath,
// OutputPath, ItemsPath, "x.$" fields of Parameters and ResultSelector, and
// ResultPath (through [Path.Set]).
//
//	p, err := jsonpath.Parse("$.orders[?(@.total > 100)].id")
//	if err != nil {
//		// *SyntaxError: the state machine definition is invalid.
//	}
//	ids, err := p.Get(input) // []any for this indefinite path
//	if err != nil {
//		// *NoMatchError: States.Runtime, "The JSONPath '...' specified for
//		// the field 'x.$' could not be found in the input '...'".
//	}
//	out, err := resultPath.Set(input, result) // *SetError if it cannot apply
//
// Documents are what encoding/json produces with Decoder.UseNumber
// ([Decode]): map[string]any, []any, string, json.Number, bool and nil.
//
// # Which JSONPath
//
// AWS uses the Java library Jayway JsonPath, and its recorded behaviour
// matches Jayway 1.2.0/2.0.0 with default options rather than any later
// version: "$.a[-1]" fails while "$.a[(@.length-1)]" returns the last element
// (negative indexes came with 2.3.0, the length form went with 2.1.0); a
// backslash in ['...'] is an ordinary character (LocalStack snapshot
// test_escape_sequence_parsing[ESCAPE_SEQUENCES_JSONPATH]: $['Test\""Name"']
// reads the key Test\""Name"); "$.items[*]" on {} gives [] while a slice of
// the root object fails. This package follows that version's algorithm. In
// short:
//
//   - A definite path (names and single indexes; see [Path.IsDefinite])
//     returns the value; null is a value. Any other path returns the list of
//     matches.
//   - Where Jayway throws, [Path.Get] fails with *NoMatchError, for
//     indefinite paths too: a missing last name, an index out of range, a name
//     applied to a non-object, an index, slice or filter applied to the wrong
//     kind of value. The exceptions are a wildcard over an array, which
//     skips elements that fail ("$.a[*].b" skips elements without b), and a
//     missing name that is followed by an indefinite step, which drops that
//     branch ("$.items[*]" on {} is []).
//   - ['a','b'] as the last step returns one object with those of the names
//     that are present; elsewhere it fails.
//   - Slices have no step. [from:] and [:to] count negative bounds from the
//     end; [from:to] does not, so [1:-1] is empty and [-2:3] fails.
//   - Filters: [?(expr)] with ==, !=, <, <=, >, >=, =~ /re/ (or /re/i), &&,
//     ||, existence (@.a) and non-existence (!@.a). Operands are definite
//     paths from @ (the item) or $ (the document), 'quoted strings' without
//     escapes other than \', and bare literals, which Jayway keeps as strings:
//     "@.n == 1" is true for 1, 1.0 and "1"; "@.s == 'abc'" fails the
//     evaluation when s is a number (NumberFormatException); null matches
//     JSON null and the string "null"; a comparison whose path does not
//     resolve is false, for != too. A present null does not "exist".
//     Parentheses do not group: "(a || b) && c" is "a || (b && c)". As AWS
//     documents, @ only matches objects: scalar and array items never pass a
//     filter. A filter applied to an object tests the object itself.
//   - "..": a pre-order walk. When the step after ".." is not the last and
//     applies to an array, Jayway applies the rest of the path to each element
//     without that step ("$..[0].a" reads a of every element); this is kept.
//
// # Differences from AWS
//
// Go maps do not keep the order of object members, so wildcards and ".."
// visit members in byte order of their names, where AWS follows the input.
// Regular expressions are Go's RE2, not java.util.regex. Numbers compare as
// exact decimals; Jayway converts through double first. Functions such as
// length() and the Jayway operators in, nin, subsetof and the like are not
// supported (AWS does not document them). Syntax that Jayway 2.0.0 accepts
// only by accident, such as garbage between brackets, is rejected.
//
// See https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html
// and the "Paths" and "Reference Paths" sections of
// https://states-language.net/spec.html.
package jsonpath
