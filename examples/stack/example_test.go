package stack_test

import (
	"fmt"

	"github.com/lambdakit/lambdakit/examples/stack"
)

func ExampleRef() {
	fmt.Println(stack.ArnOf("OrdersValidatePaymentFunction"))
	fmt.Println(stack.NameOf("PipelineQueue"))
	// Output:
	// !GetAtt OrdersValidatePaymentFunction.Arn
	// !Ref PipelineQueue
}
