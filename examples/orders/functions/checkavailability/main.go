// Command checkavailability is the orders example's CheckAvailability function.
package main

import (
	"github.com/lambdakit/lambdakit/examples/orders"
	"github.com/lambdakit/lambdakit/examples/stack"
)

func main() { stack.Start(orders.NewCheckAvailability) }
