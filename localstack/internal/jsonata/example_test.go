package jsonata_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/lambdakit/lambdakit/localstack/internal/jsonata"
)

func Example() {
	d := json.NewDecoder(strings.NewReader(`{"orders":[{"price":10,"qty":3},{"price":0.1,"qty":2}]}`))
	d.UseNumber()
	var input any
	if err := d.Decode(&input); err != nil {
		panic(err)
	}
	vars := map[string]any{"states": map[string]any{"input": input}}

	e, err := jsonata.Compile("$sum($states.input.orders.(price * qty))")
	if err != nil {
		panic(err)
	}
	v, ok, err := e.Eval(context.Background(), input, vars)
	fmt.Println(v, ok, err)

	e, _ = jsonata.Compile("$partition($states.input.orders.qty, 1)")
	v, _, _ = e.Eval(context.Background(), input, vars)
	out, _ := json.Marshal(v)
	fmt.Println(string(out))

	e, _ = jsonata.Compile("$doesNotExist")
	_, ok, err = e.Eval(context.Background(), input, vars)
	fmt.Println(ok, err)

	e, _ = jsonata.Compile("$randomSeeded(1)")
	_, _, err = e.Eval(context.Background(), input, vars)
	var ee *jsonata.EvalError
	if errors.As(err, &ee) {
		fmt.Printf("%s: %s\n", ee.Code, ee.Msg)
	}
	// Output:
	// 30.2 true <nil>
	// [[3],[2]]
	// false <nil>
	// T1006: Attempted to invoke a non-function
}
