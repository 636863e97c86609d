package intrinsic

import "testing"

func TestStringSplit(t *testing.T) {
	inv := "Invalid arguments in States.StringSplit"
	runEvalCases(t, []evalCase{
		{name: "doc", expr: "States.StringSplit($.inputString, $.splitter)", input: `{"inputString":"1,2,3,4,5","splitter":","}`, want: `["1","2","3","4","5"]`},
		{name: "recorded blank", expr: "States.StringSplit($.s, $.d)", input: `{"s":" ","d":","}`, want: `[" "]`},
		{name: "recorded blanks around", expr: "States.StringSplit($.s, $.d)", input: `{"s":" , ","d":","}`, want: `[" "," "]`},
		{name: "recorded empty tokens dropped", expr: "States.StringSplit($.s, $.d)", input: `{"s":", , ,","d":","}`, want: `[" "," "]`},
		{name: "recorded only delimiters", expr: "States.StringSplit($.s, $.d)", input: `{"s":",,,,","d":","}`, want: `[]`},
		{name: "recorded character set", expr: "States.StringSplit($.s, $.d)", input: `{"s":"This.is+a,test=string","d":".+,="}`, want: `["This","is","a","test","string"]`},
		{name: "recorded newline delimiter", expr: "States.StringSplit($.s, $.d)", input: `{"s":"split on T and \nnew line","d":"T\n"}`, want: `["split on "," and ","new line"]`},
		{
			name:  "recorded context object",
			expr:  "States.StringSplit($.csv, ',')",
			input: `{"csv":"Value1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n"}`,
			want:  `["Value1","Value2","Value3\nValue4","Value5","Value6\n","\ntrue","1","'HelloWorld'\nNull","None","\n   \n"]`,
		},
		{name: "empty input", expr: "States.StringSplit('', ',')", want: `[]`},
		{name: "empty delimiter", expr: "States.StringSplit('abc', '')", want: `["abc"]`},
		{name: "multibyte delimiter", expr: "States.StringSplit('a→b→c', '→')", want: `["a","b","c"]`},
		{name: "observed number", expr: "States.StringSplit($.v, ',')", input: `{"v":123}`, cause: inv},
		{name: "observed null delimiter", expr: "States.StringSplit('a,b', null)", cause: inv},
		{name: "observed array delimiter", expr: "States.StringSplit('a,b', $.d)", input: `{"d":[","]}`, cause: inv},
	})
}
