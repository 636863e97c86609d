package intrinsic

import "testing"

func TestStringToJSON(t *testing.T) {
	inv := "Invalid arguments in States.StringToJson"
	runEvalCases(t, []evalCase{
		{name: "doc", expr: "States.StringToJson($.s)", input: `{"s":"{\"foo\": \"bar\"}"}`, want: `{"foo":"bar"}`},
		{name: "recorded empty", expr: "States.StringToJson($.s)", input: `{"s":""}`, want: `null`},
		{name: "recorded blank", expr: "States.StringToJson($.s)", input: `{"s":" "}`, want: `null`},
		{name: "recorded null", expr: "States.StringToJson($.s)", input: `{"s":"null"}`, want: `null`},
		{name: "recorded minus zero", expr: "States.StringToJson($.s)", input: `{"s":"-0"}`, want: `0`},
		{name: "recorded int", expr: "States.StringToJson($.s)", input: `{"s":"1"}`, want: `1`},
		{name: "recorded float", expr: "States.StringToJson($.s)", input: `{"s":"1.1"}`, want: `1.1`},
		{name: "recorded bool", expr: "States.StringToJson($.s)", input: `{"s":"true"}`, want: `true`},
		{name: "recorded string", expr: "States.StringToJson($.s)", input: `{"s":"\"HelloWorld\""}`, want: `"HelloWorld"`},
		{name: "recorded array", expr: "States.StringToJson($.s)", input: `{"s":"[1, 2, \"HelloWorld\"]"}`, want: `[1,2,"HelloWorld"]`},
		{name: "recorded object", expr: "States.StringToJson($.s)", input: `{"s":"{\"Arg1\": 1, \"Arg2\": []}"}`, want: `{"Arg1":1,"Arg2":[]}`},
		{name: "recorded literal", expr: `States.StringToJson('{"constant_in_literal": "false"}')`, want: `{"constant_in_literal":"false"}`},
		{name: "nested minus zero", expr: "States.StringToJson('[-0, {\"a\": -0}]')", want: `[0,{"a":0}]`},
		{name: "invalid JSON", expr: "States.StringToJson('{')", cause: inv},
		{name: "trailing text", expr: "States.StringToJson('1 2')", cause: inv},
		{name: "not a string", expr: "States.StringToJson($.n)", input: `{"n":1}`, cause: inv},
		{name: "null", expr: "States.StringToJson(null)", cause: inv},
	})
}

func TestJSONToString(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "doc", expr: "States.JsonToString($.u)", input: `{"u":{"foo":"bar"}}`, want: `"{\"foo\":\"bar\"}"`},
		{name: "recorded null", expr: "States.JsonToString($.v)", input: `{"v":null}`, want: `"null"`},
		{name: "recorded zero", expr: "States.JsonToString($.v)", input: `{"v":0}`, want: `"0"`},
		{name: "recorded float", expr: "States.JsonToString($.v)", input: `{"v":1.1}`, want: `"1.1"`},
		{name: "recorded bool", expr: "States.JsonToString($.v)", input: `{"v":true}`, want: `"true"`},
		{name: "recorded string", expr: "States.JsonToString($.v)", input: `{"v":"HelloWorld"}`, want: `"\"HelloWorld\""`},
		{name: "recorded array", expr: "States.JsonToString($.v)", input: `{"v":[1, 2, "HelloWorld"]}`, want: `"[1,2,\"HelloWorld\"]"`},
		{name: "recorded object", expr: "States.JsonToString($.v)", input: `{"v":{"Arg1": 1, "Arg2": []}}`, want: `"{\"Arg1\":1,\"Arg2\":[]}"`},
		{name: "big numbers kept", expr: "States.JsonToString($.v)", input: `{"v":[-1,3.5,-9007199254740991,9007199254740991]}`, want: `"[-1,3.5,-9007199254740991,9007199254740991]"`},
		{name: "literal string", expr: "States.JsonToString('x')", want: `"\"x\""`},
		{
			name:  "no HTML, slash or unicode escaping",
			expr:  "States.JsonToString($.v)",
			input: `{"v":"a/b<c>&d é\u2028✓"}`,
			want:  `"\"a/b<c>&d é\u2028✓\""`,
		},
		{name: "control characters", expr: "States.JsonToString($.v)", input: `{"v":"q\"b\\n\nt\t\u0001\u001f"}`, want: `"\"q\\\"b\\\\n\\nt\\t\\u0001\\u001F\""`},
		{name: "no arguments", expr: "States.JsonToString()", cause: "Invalid arguments in States.JsonToString"},
		{name: "two arguments", expr: "States.JsonToString($.a, $.b)", input: `{"a":1,"b":2}`, cause: "Invalid arguments in States.JsonToString"},
	})
}

func TestJSONMerge(t *testing.T) {
	inv := "Invalid arguments in States.JsonMerge"
	runEvalCases(t, []evalCase{
		{
			name:  "doc and recorded shallow merge",
			expr:  "States.JsonMerge($.a, $.b, false)",
			input: `{"a":{"a":{"a1":1,"a2":2},"b":2,"d":3},"b":{"a":{"a3":1,"a4":2},"c":3,"d":4}}`,
			want:  `{"a":{"a3":1,"a4":2},"b":2,"c":3,"d":4}`,
		},
		{
			name:  "recorded escaped literal argument",
			expr:  `States.JsonMerge(States.StringToJson('{"constant_in_literal": "false"}'), $.f, false)`,
			input: `{"f":{"constant_input_field":"constant_value"}}`,
			want:  `{"constant_input_field":"constant_value","constant_in_literal":"false"}`,
		},
		{name: "null overwrites", expr: "States.JsonMerge($.a, $.b, false)", input: `{"a":{"n":{"l":true},"k":1},"b":{"n":null}}`, want: `{"n":null,"k":1}`},
		{name: "empty objects", expr: "States.JsonMerge($.a, $.a, false)", input: `{"a":{}}`, want: `{}`},
		{name: "observed non-boolean flag is shallow", expr: "States.JsonMerge($.a, $.b, 'false')", input: `{"a":{"x":1},"b":{"y":2}}`, want: `{"x":1,"y":2}`},
		{name: "deep merge", expr: "States.JsonMerge($.a, $.b, true)", input: `{"a":{},"b":{}}`, cause: inv},
		{name: "null first", expr: "States.JsonMerge($.a, $.b, false)", input: `{"a":null,"b":{}}`, cause: inv},
		{name: "array first", expr: "States.JsonMerge($.a, $.b, false)", input: `{"a":[],"b":{}}`, cause: inv},
		{name: "string second", expr: "States.JsonMerge($.a, $.b, false)", input: `{"a":{},"b":"x"}`, cause: inv},
		{name: "missing flag", expr: "States.JsonMerge($.a, $.b)", input: `{"a":{},"b":{}}`, cause: inv},
	})
}
