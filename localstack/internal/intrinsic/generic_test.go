package intrinsic

import "testing"

// Cases marked "recorded" come from executions on AWS (localstack's
// tests/aws/services/stepfunctions/v2/intrinsic_functions/*.snapshot.json);
// "doc" from the AWS developer guide; "observed" from published AWS
// conformance probes.

func TestFormat(t *testing.T) {
	const mismatch = "Invalid arguments in States.Format: number of arguments do not match the occurrences of {}."
	runEvalCases(t, []evalCase{
		{name: "doc literal template", expr: "States.Format('Hello, my name is {}.', $.name)", input: `{"name":"Arnav"}`, want: `"Hello, my name is Arnav."`},
		{name: "doc path template", expr: "States.Format($.template, $.name)", input: `{"name":"Arnav","template":"Hello, my name is {}."}`, want: `"Hello, my name is Arnav."`},
		{name: "recorded empty string", expr: "States.Format('Formatting argument {}.', $.v)", input: `{"v":""}`, want: `"Formatting argument ."`},
		{name: "recorded blank", expr: "States.Format('Formatting argument {}.', $.v)", input: `{"v":" "}`, want: `"Formatting argument  ."`},
		{name: "recorded null", expr: "States.Format('Formatting argument {}.', $.v)", input: `{"v":null}`, want: `"Formatting argument null."`},
		{name: "recorded int", expr: "States.Format('Formatting argument {}.', $.v)", input: `{"v":1}`, want: `"Formatting argument 1."`},
		{name: "recorded float", expr: "States.Format('Formatting argument {}.', $.v)", input: `{"v":1.1}`, want: `"Formatting argument 1.1."`},
		{name: "recorded JSON text verbatim", expr: "States.Format('Formatting argument {}.', $.v)", input: `{"v":"{\"Arg1\": 1, \"Arg2\": []}"}`, want: `"Formatting argument {\"Arg1\": 1, \"Arg2\": []}."`},
		{name: "recorded object as Java map", expr: "States.Format('fst={} and snd={}.', $.a, $.a)", input: `{"a":{"Arg1":1,"Arg2":[]}}`, want: `"fst={Arg1=1, Arg2=[]} and snd={Arg1=1, Arg2=[]}."`},
		{name: "recorded context object", expr: "States.Format('fst={} and snd={}.', $$.Execution.Name, $$.StateMachine)", want: `"fst=exec1 and snd={Id=arn:aws:states:us-east-1:111111111111:stateMachine:sm-name-abc, Name=sm-name-abc}."`},
		{name: "array as Java list", expr: "States.Format('{}', $.a)", input: `{"a":[1,"x",null,[true]]}`, want: `"[1, x, null, [true]]"`},
		{name: "escaped quote", expr: `States.Format('it\'s {}', $.x)`, input: `{"x":"fine"}`, want: `"it's fine"`},
		{name: "escaped braces are text", expr: `States.Format('\{literal\} {}', 1)`, want: `"{literal} 1"`},
		{name: "escaped backslash", expr: `States.Format('C:\\tmp')`, want: `"C:\\tmp"`},
		{name: "arguments are not unescaped", expr: "States.Format('path: {}', $.p)", input: `{"p":"C:\\tmp\\{}"}`, want: `"path: C:\\tmp\\{}"`},
		{name: "double quotes need no escape", expr: `States.Format('Name: \'{}\', Surname: "{}"', $.n, $.s)`, input: `{"n":"Gabriel","s":"Moreira"}`, want: `"Name: 'Gabriel', Surname: \"Moreira\""`},
		{name: "no placeholders", expr: "States.Format('no placeholders')", want: `"no placeholders"`},
		{name: "keeps whitespace", expr: "States.Format('  {}  ', 'x')", want: `"  x  "`},
		{name: "scalars", expr: "States.Format('{}|{}|{}|{}', null, false, -1, 3.5)", want: `"null|false|-1|3.5"`},
		{name: "nested JsonToString", expr: "States.Format('arn:{}:{}', $.svc, States.JsonToString($.obj))", input: `{"svc":"lambda","obj":{"k":1}}`, want: `"arn:lambda:{\"k\":1}"`},
		{name: "too few arguments", expr: "States.Format('{} {}', 'x')", cause: mismatch},
		{name: "too many arguments", expr: "States.Format('{}', 'x', 'y')", cause: mismatch},
		{name: "path template count", expr: "States.Format($.t)", input: `{"t":"a {}"}`, cause: mismatch},
		{name: "unmatched open brace", expr: "States.Format('Hello {', 'x')", cause: "Invalid template in States.Format: matching '}' not found for '{'."},
		{name: "doubled braces", expr: "States.Format('Hello {{}}', 'x')", cause: "Invalid template in States.Format: matching '}' not found for '{'."},
		{name: "lone close brace", expr: "States.Format('}')", cause: "Invalid template in States.Format: matching '{' not found for '}'."},
		{name: "non-string template", expr: "States.Format($.t, 'x')", input: `{"t":123}`, cause: "Invalid arguments in States.Format"},
		{name: "no arguments", expr: "States.Format()", cause: "Invalid arguments in States.Format"},
		{
			// The developer guide's nine-function example has three {} but two
			// arguments, so on AWS it can only fail.
			name:  "doc nested example fails",
			expr:  "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))",
			input: `{"ImageRecipe":{"Arn":"arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my-recipe/1.0.0"}}`,
			cause: mismatch,
		},
		{
			name:  "doc nested example with matching count",
			expr:  "States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))",
			input: `{"ImageRecipe":{"Arn":"arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my-recipe/1.0.0"}}`,
			want:  `"1.0"`,
		},
	})
}

func TestNestedCalls(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "recorded nested_calls_1", expr: "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)", want: `"sm"`},
		{name: "recorded nested_calls_2", expr: "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))", want: `"abc"`},
		{name: "recorded escape sequence (raw newlines)", expr: "States.StringSplit('Hello\nWorld', '\n')", want: `["Hello","World"]`},
		{name: "JsonMerge with a string context value", expr: `States.JsonMerge(States.StringToJson('{"constant_in_literal": "false"}'), $$.Execution.Id, false)`, cause: "Invalid arguments in States.JsonMerge"},
		{name: "inner failure names the inner call", expr: "States.Array(States.ArrayLength('x'))", cause: "States.ArrayLength('x'). Invalid arguments in States.ArrayLength"},
	})
}

func TestUUID(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "from env", expr: "States.UUID()", want: `"00000000-0000-4000-8000-000000000000"`},
		{name: "arguments", expr: "States.UUID(1)", cause: "Invalid arguments in States.UUID"},
	})
}
