// Command worker is the fanout example's Worker function.
package main

import (
	"github.com/lambdakit/lambdakit/examples/fanout"
	"github.com/lambdakit/lambdakit/examples/stack"
)

func main() { stack.Start(fanout.NewWorker) }
