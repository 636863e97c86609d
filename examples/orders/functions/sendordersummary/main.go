// Command sendordersummary is the orders example's SendOrderSummary function.
package main

import (
	"github.com/lambdakit/lambdakit/examples/orders"
	"github.com/lambdakit/lambdakit/examples/stack"
)

func main() { stack.Start(orders.NewSendOrderSummary) }
