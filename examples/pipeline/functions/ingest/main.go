// Command ingest is the pipeline example's Ingest function, fed by the
// pipeline queue.
package main

import (
	"github.com/lambdakit/lambdakit/examples/pipeline"
	"github.com/lambdakit/lambdakit/examples/stack"
)

func main() { stack.Start(pipeline.NewIngest) }
