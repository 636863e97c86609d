// Command preparefordelivery is the orders example's PrepareForDelivery function.
package main

import (
	"github.com/lambdakit/lambdakit/examples/orders"
	"github.com/lambdakit/lambdakit/examples/stack"
)

func main() { stack.Start(orders.NewPrepareForDelivery) }
