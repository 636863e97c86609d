// Command validatepayment is the orders example's ValidatePayment function.
package main

import (
	"github.com/lambdakit/lambdakit/examples/orders"
	"github.com/lambdakit/lambdakit/examples/stack"
)

func main() { stack.Start(orders.NewValidatePayment) }
