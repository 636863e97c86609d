// Command xray is the init benchmark's function traced with the X-Ray
// adapter; the subsegments go to AWS_XRAY_DAEMON_ADDRESS.
package main

import (
	"context"
	"encoding/json"
	"log"

	"github.com/lambdakit/lambdakit/handler"
	"github.com/lambdakit/lambdakit/xraytrace"
)

func main() {
	tracer, err := xraytrace.New()
	if err != nil {
		log.Fatal(err)
	}
	echo := func(_ context.Context, in json.RawMessage) (json.RawMessage, error) { return in, nil }
	handler.Start(handler.New(echo, handler.Defaults(handler.WithTracer(tracer))...))
}
