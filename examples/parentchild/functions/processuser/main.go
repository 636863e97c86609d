// Command processuser is the parentchild example's ProcessUser function,
// which the child state machine invokes once per user.
package main

import (
	"github.com/lambdakit/lambdakit/examples/parentchild"
	"github.com/lambdakit/lambdakit/examples/stack"
)

func main() { stack.Start(parentchild.NewProcessUser) }
