// Command processitem is the fanout example's ProcessItem function.
package main

import (
	"github.com/lambdakit/lambdakit/examples/fanout"
	"github.com/lambdakit/lambdakit/examples/stack"
)

func main() { stack.Start(fanout.NewProcessItem) }
