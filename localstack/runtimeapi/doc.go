// Package runtimeapi runs a built Lambda bootstrap (a Go function built with
// GOOS=linux CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap) the way
// Lambda's provided.al2023 runtime does, with no AWS emulator involved: it
// serves the Runtime API
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html) on a
// loopback port, starts the process with the AWS_LAMBDA_* environment, hands
// it one invocation at a time, measures init and invocation durations, and
// replaces a timed-out or crashed process with a fresh one.
//
//	r, err := runtimeapi.Start(ctx, ".build/orders/bootstrap", runtimeapi.WithTimeout(10*time.Second))
//	if err != nil {
//		return err
//	}
//	defer r.Close()
//	out, err := r.Invoke(ctx, []byte(`{"orderId":"o-1"}`))
//
// A [Runtime] is a lambda.Handler, so it can stand behind an event-source
// mapping (package esm) or a function registered with the test bed.
package runtimeapi
