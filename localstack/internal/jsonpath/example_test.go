package jsonpath_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lambdakit/lambdakit/localstack/internal/jsonpath"
)

func Example() {
	input, _ := jsonpath.Decode([]byte(`{"orders":[{"id":"a","total":120},{"id":"b","total":80}]}`))

	// InputPath or a "x.$" field: an indefinite path selects a list.
	p, _ := jsonpath.Parse("$.orders[?(@.total > 100)].id")
	ids, _ := p.Get(input)
	fmt.Println(ids)

	// ResultPath: place the state's result into a copy of its input.
	rp, _ := jsonpath.Parse("$.result.count")
	out, _ := rp.Set(input, len(ids.([]any)))
	b, _ := json.Marshal(out)
	fmt.Println(string(b))

	// A definite path that does not resolve fails the execution.
	missing, _ := jsonpath.Parse("$.customer")
	_, err := missing.Get(input)
	var nm *jsonpath.NoMatchError
	if errors.As(err, &nm) {
		fmt.Printf("The JSONPath '%s' could not be found (%s)\n", nm.Path, nm.Detail)
	}
	// Output:
	// [a]
	// {"orders":[{"id":"a","total":120},{"id":"b","total":80}],"result":{"count":1}}
	// The JSONPath '$.customer' could not be found (No results for path: $['customer'])
}
