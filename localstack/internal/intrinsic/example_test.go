package intrinsic_test

import (
	"errors"
	"fmt"

	"github.com/lambdakit/lambdakit/localstack/internal/intrinsic"
)

func Example() {
	input := map[string]any{"name": "World", "items": []any{"a", "b", "c"}}
	env := intrinsic.Env{
		// A real engine evaluates JSONPath here; this one knows two paths.
		Resolve: func(path string) (any, error) {
			switch path {
			case "$.name":
				return input["name"], nil
			case "$.items":
				return input["items"], nil
			}
			return nil, fmt.Errorf("The JsonPath argument for the field '%s' could not be found in the input '{}'", path)
		},
		UUID: func() string { return "3f1c0a7e-0000-4000-8000-000000000000" },
	}

	for _, expr := range []string{
		"States.Format('Hello, {}! You have {} items.', $.name, States.ArrayLength($.items))",
		"States.JsonToString(States.ArrayPartition($.items, 2))",
		"States.MathAdd(1.5, 2)",
		"States.ArrayGetItem($.items, 3)",
		"States.Format('no closing quote)",
	} {
		call, err := intrinsic.Parse(expr)
		var syntax *intrinsic.SyntaxError
		if errors.As(err, &syntax) {
			fmt.Println("invalid definition:", syntax.Msg)
			continue
		}
		v, err := call.Eval(env)
		var failure *intrinsic.Error
		if errors.As(err, &failure) {
			fmt.Println(failure.Name+":", failure.Cause)
			continue
		}
		fmt.Println(v)
	}
	// Output:
	// Hello, World! You have 3 items.
	// [["a","b"],["c"]]
	// 4
	// States.Runtime: There was an error while evaluating the intrinsic function: States.ArrayGetItem($.items, 3). Invalid arguments in States.ArrayGetItem
	// invalid definition: unterminated string literal
}
