// Command core is the init benchmark's function with lambdakit's core only:
// a typed handler behind handler.Defaults.
package main

import (
	"context"
	"encoding/json"

	"github.com/lambdakit/lambdakit/handler"
)

func main() {
	echo := func(_ context.Context, in json.RawMessage) (json.RawMessage, error) { return in, nil }
	handler.Start(handler.New(echo, handler.Defaults()...))
}
