// Command slowworker is the longrunning example's SlowWorker function.
package main

import (
	"github.com/lambdakit/lambdakit/examples/longrunning"
	"github.com/lambdakit/lambdakit/examples/stack"
)

func main() { stack.Start(longrunning.NewSlowWorker) }
