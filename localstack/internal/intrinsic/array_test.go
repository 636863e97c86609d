package intrinsic

import (
	"strconv"
	"strings"
	"testing"
)

func TestArray(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "doc", expr: "States.Array($.Id)", input: `{"Id":123456}`, want: `[123456]`},
		{name: "recorded zero arguments", expr: "States.Array()", want: `[]`},
		{name: "recorded pair of strings", expr: "States.Array($.a, $.a)", input: `{"a":"HelloWorld"}`, want: `["HelloWorld","HelloWorld"]`},
		{name: "recorded pair of nulls", expr: "States.Array($.a, $.a)", input: `{"a":null}`, want: `[null,null]`},
		{name: "recorded pair of floats", expr: "States.Array($.a, $.a)", input: `{"a":1.1}`, want: `[1.1,1.1]`},
		{name: "recorded pair of objects", expr: "States.Array($.a, $.a)", input: `{"a":{"Arg1":1,"Arg2":[]}}`, want: `[{"Arg1":1,"Arg2":[]},{"Arg1":1,"Arg2":[]}]`},
		{name: "literals", expr: "States.Array(42, true, null, 'hello', -0, 1.5e3)", want: `[42,true,null,"hello",0,1.5e3]`},
		{name: "nested", expr: "States.Array(1, States.Array(2, 3))", want: `[1,[2,3]]`},
		{name: "whitespace", expr: "States.Array( $.a ,\t$.b )", input: `{"a":1,"b":2}`, want: `[1,2]`},
	})
}

func TestArrayPartition(t *testing.T) {
	inv := "Invalid arguments in States.ArrayPartition"
	runEvalCases(t, []evalCase{
		{name: "doc", expr: "States.ArrayPartition($.a, 4)", input: `{"a":[1,2,3,4,5,6,7,8,9]}`, want: `[[1,2,3,4],[5,6,7,8],[9]]`},
		{name: "recorded empty", expr: "States.ArrayPartition($.a, 3)", input: `{"a":[]}`, want: `[]`},
		{name: "recorded one item", expr: "States.ArrayPartition($.a, 5)", input: `{"a":[0]}`, want: `[[0]]`},
		{name: "recorded size 1", expr: "States.ArrayPartition($.a, 1)", input: `{"a":[0,1,2,3]}`, want: `[[0],[1],[2],[3]]`},
		{name: "recorded size 3 of 4", expr: "States.ArrayPartition($.a, 3)", input: `{"a":[0,1,2,3]}`, want: `[[0,1,2],[3]]`},
		{name: "recorded size 4 of 4", expr: "States.ArrayPartition($.a, 4)", input: `{"a":[0,1,2,3]}`, want: `[[0,1,2,3]]`},
		{name: "observed 2.4 truncates", expr: "States.ArrayPartition($.a, 2.4)", input: `{"a":[1,2,3,4,5]}`, want: `[[1,2],[3,4],[5]]`},
		{name: "observed 2.6 truncates", expr: "States.ArrayPartition($.a, 2.6)", input: `{"a":[1,2,3,4,5]}`, want: `[[1,2],[3,4],[5]]`},
		{name: "int32 max", expr: "States.ArrayPartition($.a, 2147483647)", input: `{"a":[1,2,3]}`, want: `[[1,2,3]]`},
		{name: "nested arrays kept", expr: "States.ArrayPartition(States.Array(States.Array(1), 2), 1)", want: `[[[1]],[2]]`},
		{name: "observed 0.6 truncates to 0", expr: "States.ArrayPartition($.a, 0.6)", input: `{"a":[1]}`, cause: inv},
		{name: "zero", expr: "States.ArrayPartition($.a, 0)", input: `{"a":[1]}`, cause: inv},
		{name: "negative", expr: "States.ArrayPartition($.a, -1)", input: `{"a":[1]}`, cause: inv},
		{name: "string size", expr: "States.ArrayPartition($.a, '2')", input: `{"a":[1]}`, cause: inv},
		{name: "null size", expr: "States.ArrayPartition($.a, null)", input: `{"a":[1]}`, cause: inv},
		{name: "not an array", expr: "States.ArrayPartition('not-array', 2)", cause: inv},
		{name: "one argument", expr: "States.ArrayPartition($.a)", input: `{"a":[1]}`, cause: inv},
	})
}

func TestArrayContains(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "doc", expr: "States.ArrayContains($.a, $.v)", input: `{"a":[1,2,3,4,5,6,7,8,9],"v":5}`, want: `true`},
		{name: "recorded empty null", expr: "States.ArrayContains($.a, $.v)", input: `{"a":[],"v":null}`, want: `false`},
		{name: "recorded empty array", expr: "States.ArrayContains($.a, $.v)", input: `{"a":[],"v":[]}`, want: `false`},
		{name: "recorded null absent", expr: "States.ArrayContains($.a, $.v)", input: `{"a":[[1,2,3],2],"v":null}`, want: `false`},
		{name: "recorded nested array", expr: "States.ArrayContains($.a, $.v)", input: `{"a":[[1,2,3],2],"v":[1,2,3]}`, want: `true`},
		{name: "recorded object vs array", expr: "States.ArrayContains($.a, $.v)", input: `{"a":[{"1":2,"2":[]}],"v":[]}`, want: `false`},
		{name: "recorded object", expr: "States.ArrayContains($.a, $.v)", input: `{"a":[{"1":2,"2":[]}],"v":{"2":[],"1":2}}`, want: `true`},
		{name: "recorded true", expr: "States.ArrayContains($.a, $.v)", input: `{"a":[true,false],"v":true}`, want: `true`},
		{name: "recorded false", expr: "States.ArrayContains($.a, $.v)", input: `{"a":[true,false],"v":false}`, want: `true`},
		{name: "int is not float", expr: "States.ArrayContains($.a, 1)", input: `{"a":[1.0]}`, want: `false`},
		{name: "same float", expr: "States.ArrayContains($.a, 1.50)", input: `{"a":[1.5]}`, want: `true`},
		{name: "not an array", expr: "States.ArrayContains($.a, 1)", input: `{"a":"x"}`, cause: "Invalid arguments in States.ArrayContains"},
	})
}

func TestArrayRange(t *testing.T) {
	inv := "Invalid arguments in States.ArrayRange"
	thousand := make([]string, 1000)
	for i := range thousand {
		thousand[i] = strconv.Itoa(i + 1)
	}
	runEvalCases(t, []evalCase{
		{name: "doc", expr: "States.ArrayRange(1, 9, 2)", want: `[1,3,5,7,9]`},
		{name: "recorded 0 9 3", expr: "States.ArrayRange($.a, $.b, $.c)", input: `{"a":0,"b":9,"c":3}`, want: `[0,3,6,9]`},
		{name: "recorded 0 10 3", expr: "States.ArrayRange($.a, $.b, $.c)", input: `{"a":0,"b":10,"c":3}`, want: `[0,3,6,9]`},
		{name: "recorded 1 9 9", expr: "States.ArrayRange($.a, $.b, $.c)", input: `{"a":1,"b":9,"c":9}`, want: `[1]`},
		{name: "crosses zero", expr: "States.ArrayRange(-2, 2, 2)", want: `[-2,0,2]`},
		{name: "equal bounds negative step", expr: "States.ArrayRange(3, 3, -1)", want: `[3]`},
		{name: "descending", expr: "States.ArrayRange(5, 1, -2)", want: `[5,3,1]`},
		{name: "wrong direction up", expr: "States.ArrayRange(5, 1, 1)", want: `[]`},
		{name: "wrong direction down", expr: "States.ArrayRange(1, 5, -1)", want: `[]`},
		{name: "observed truncation 1.4 5.6 2.2", expr: "States.ArrayRange(1.4, 5.6, 2.2)", want: `[1,3,5]`},
		{name: "observed truncation 1.6 1.4 1", expr: "States.ArrayRange(1.6, 1.4, 1)", want: `[1]`},
		{name: "observed truncation descending", expr: "States.ArrayRange(5.4, -0.6, -2.4)", want: `[5,3,1]`},
		{name: "observed 1000 items", expr: "States.ArrayRange(1, 1000, 1)", want: "[" + strings.Join(thousand, ",") + "]"},
		{name: "observed 1001 items", expr: "States.ArrayRange(1, 1001, 1)", cause: inv},
		{name: "observed 1001 descending", expr: "States.ArrayRange(1001, 1, -1)", cause: inv},
		{name: "huge range", expr: "States.ArrayRange(-2147483648, 2147483647, 1)", cause: inv},
		{name: "zero step", expr: "States.ArrayRange(1, 10, 0)", cause: inv},
		{name: "step truncates to zero", expr: "States.ArrayRange(1, 10, 0.49)", cause: inv},
		{name: "string start", expr: "States.ArrayRange('a', 5, 1)", cause: inv},
		{name: "beyond int32", expr: "States.ArrayRange(1, 3000000000, 1)", cause: inv},
		{name: "two arguments", expr: "States.ArrayRange(1, 5)", cause: inv},
	})
}

func TestArrayGetItem(t *testing.T) {
	inv := "Invalid arguments in States.ArrayGetItem"
	runEvalCases(t, []evalCase{
		{name: "doc and recorded", expr: "States.ArrayGetItem($.a, $.i)", input: `{"a":[1,2,3,4,5,6,7,8,9],"i":5}`, want: `6`},
		{name: "null item", expr: "States.ArrayGetItem($.a, 0)", input: `{"a":[null]}`, want: `null`},
		{name: "object item", expr: "States.ArrayGetItem($.a, 1)", input: `{"a":[{"a":1},{"b":2}]}`, want: `{"b":2}`},
		{name: "observed fraction truncates", expr: "States.ArrayGetItem($.a, 1.2)", input: `{"a":[10,20,30]}`, want: `20`},
		{name: "observed empty array gives null", expr: "States.ArrayGetItem($.a, 999)", input: `{"a":[]}`, want: `null`},
		{name: "index equals length", expr: "States.ArrayGetItem($.a, 3)", input: `{"a":[10,20,30]}`, cause: inv},
		{name: "negative", expr: "States.ArrayGetItem($.a, -1)", input: `{"a":[10,20,30]}`, cause: inv},
		{name: "string index", expr: "States.ArrayGetItem($.a, '1')", input: `{"a":[10,20,30]}`, cause: inv},
		{name: "not an array", expr: "States.ArrayGetItem('not-array', 0)", cause: inv},
		{name: "extra argument", expr: "States.ArrayGetItem($.a, 1, 2)", input: `{"a":[1,2]}`, cause: inv},
	})
}

func TestArrayLength(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "doc and recorded", expr: "States.ArrayLength($.a)", input: `{"a":[1,2,3,4,5,6,7,8,9]}`, want: `9`},
		{name: "empty", expr: "States.ArrayLength(States.Array())", want: `0`},
		{name: "not an array", expr: "States.ArrayLength($.a)", input: `{"a":{"x":1}}`, cause: "Invalid arguments in States.ArrayLength"},
	})
}

func TestArrayUnique(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "doc", expr: "States.ArrayUnique($.a)", input: `{"a":[1,2,3,3,3,3,3,3,4]}`, want: `[1,2,3,4]`},
		{
			name:  "mixed values keep first occurrences",
			expr:  "States.ArrayUnique($.a)",
			input: `{"a":[null,null,true,true,false,false,1,1,1.1,0,-0,"HelloWorld","HelloWorld",[],[],[null],[null],{"a":1,"b":2},{"b":2,"a":1},{"a":1,"b":1}]}`,
			want:  `[null,true,false,1,1.1,0,"HelloWorld",[],[null],{"a":1,"b":2},{"a":1,"b":1}]`,
		},
		{name: "int and float differ", expr: "States.ArrayUnique($.a)", input: `{"a":[1,1.0,1]}`, want: `[1,1.0]`},
		{name: "not an array", expr: "States.ArrayUnique('x')", cause: "Invalid arguments in States.ArrayUnique"},
	})
}
