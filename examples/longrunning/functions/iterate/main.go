// Command iterate is the longrunning example's Iterate function.
package main

import (
	"github.com/lambdakit/lambdakit/examples/longrunning"
	"github.com/lambdakit/lambdakit/examples/stack"
)

func main() { stack.Start(longrunning.NewIterate) }
