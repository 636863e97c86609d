// Command echo is a tiny Lambda function for the template tests: it answers
// every event with its environment's GREETING, its function name and the
// event it received.
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	greeting := os.Getenv("GREETING")
	lambda.Start(func(_ context.Context, event json.RawMessage) (map[string]any, error) {
		return map[string]any{
			"greeting": greeting,
			"function": os.Getenv("AWS_LAMBDA_FUNCTION_NAME"),
			"event":    event,
		}, nil
	})
}
