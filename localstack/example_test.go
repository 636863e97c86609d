package localstack_test

import (
	"errors"
	"fmt"

	"github.com/lambdakit/lambdakit/localstack"
)

// Substitute fills a definition the way SAM's DefinitionSubstitutions do and
// reports every missing name at once.
func ExampleSubstitute() {
	def := `{"QueueUrl": "${QueueUrl}", "Path": "$.order", "Literal": "${!NotMine}"}`

	out, err := localstack.Substitute(def, map[string]string{"QueueUrl": "http://127.0.0.1:4566/000000000000/orders"})
	fmt.Println(out, err)

	_, err = localstack.Substitute(`{"A": "${Table}", "B": "${Queue}", "C": "${Table}"}`, nil)
	var se *localstack.SubstitutionError
	fmt.Println(errors.As(err, &se), se.Missing)
	// Output:
	// {"QueueUrl": "http://127.0.0.1:4566/000000000000/orders", "Path": "$.order", "Literal": "${NotMine}"} <nil>
	// true [Queue Table]
}
