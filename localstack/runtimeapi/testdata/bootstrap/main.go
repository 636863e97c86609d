// Command bootstrap is a tiny Lambda function for the Runtime emulator's tests. Its event chooses what it does:
//
//	{"op":"echo","value":V}      returns V with what the function saw of its environment
//	{"op":"fail","value":V}      returns an *OrderError, so errorType is "OrderError"
//	{"op":"sleep","ms":N}        sleeps N ms, then echoes
//	{"op":"panic"}               panics; aws-lambda-go reports it and exits
//
// With BOOTSTRAP_INIT=exit it writes to stderr and exits during init, as a function with a missing setting would;
// with BOOTSTRAP_INIT=report it first reports the failure to /runtime/init/error, as a custom runtime does.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Op    string `json:"op"`
	Value string `json:"value"`
	MS    int    `json:"ms"`
}

type reply struct {
	Value        string `json:"value"`
	RequestID    string `json:"requestId"`
	FunctionARN  string `json:"functionArn"`
	FunctionName string `json:"functionName"`
	Region       string `json:"region"`
	DeadlineInMS int64  `json:"deadlineInMs"`
	Invocations  int    `json:"invocations"`
}

// OrderError is a named error type, so that the error Lambda reports has errorType "OrderError".
type OrderError struct{ Reason string }

func (e *OrderError) Error() string { return "order rejected: " + e.Reason }

func main() {
	switch os.Getenv("BOOTSTRAP_INIT") {
	case "report":
		body := `{"errorType":"ConfigError","errorMessage":"ORDERS_TABLE is not set"}`
		resp, err := http.Post("http://"+os.Getenv("AWS_LAMBDA_RUNTIME_API")+"/2018-06-01/runtime/init/error",
			"application/json", strings.NewReader(body))
		if err == nil {
			resp.Body.Close()
		}
		fmt.Fprintln(os.Stderr, "init: reported ConfigError")
		os.Exit(1)
	case "exit":
		fmt.Fprintln(os.Stderr, "init: ORDERS_TABLE is not set")
		os.Exit(3)
	}
	// invocations counts the invocations this process served, which shows whether a process was reused.
	invocations := 0
	lambda.Start(func(ctx context.Context, ev event) (reply, error) {
		invocations++
		switch ev.Op {
		case "fail":
			return reply{}, &OrderError{Reason: ev.Value}
		case "panic":
			panic("bootstrap: " + ev.Value)
		case "sleep":
			time.Sleep(time.Duration(ev.MS) * time.Millisecond)
		}
		lc, _ := lambdacontext.FromContext(ctx)
		deadline, _ := ctx.Deadline()
		return reply{
			Value:        ev.Value,
			RequestID:    lc.AwsRequestID,
			FunctionARN:  lc.InvokedFunctionArn,
			FunctionName: lambdacontext.FunctionName,
			Region:       os.Getenv("AWS_REGION"),
			DeadlineInMS: time.Until(deadline).Milliseconds(),
			Invocations:  invocations,
		}, nil
	})
}
