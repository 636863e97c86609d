package callback_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/lambdakit/lambdakit/batch"
	"github.com/lambdakit/lambdakit/callback"
)

// printSFN stands in for *sfn.Client and prints the answers it is given.
type printSFN struct{}

func (printSFN) SendTaskSuccess(_ context.Context, in *sfn.SendTaskSuccessInput, _ ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	fmt.Printf("SendTaskSuccess %s\n", *in.Output)
	return &sfn.SendTaskSuccessOutput{}, nil
}

func (printSFN) SendTaskFailure(_ context.Context, in *sfn.SendTaskFailureInput, _ ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error) {
	fmt.Printf("SendTaskFailure error=%s cause=%q\n", *in.Error, *in.Cause)
	return &sfn.SendTaskFailureOutput{}, nil
}

func (printSFN) SendTaskHeartbeat(context.Context, *sfn.SendTaskHeartbeatInput, ...func(*sfn.Options)) (*sfn.SendTaskHeartbeatOutput, error) {
	return &sfn.SendTaskHeartbeatOutput{}, nil
}

type Order struct {
	ID    string `json:"id"`
	Total int    `json:"total"`
}

type Receipt struct {
	OrderID string `json:"orderId"`
	Charged int    `json:"charged"`
}

func charge(_ context.Context, o Order) (Receipt, error) {
	if o.Total <= 0 {
		return Receipt{}, &callback.Error{Name: "InvalidOrder", Cause: "total must be positive"}
	}
	return Receipt{OrderID: o.ID, Charged: o.Total}, nil
}

// A lambda:invoke.waitForTaskToken task passes the token with the input:
// "Payload": {"TaskToken.$": "$$.Task.Token", "id.$": "$.id", "total.$": "$.total"}.
func ExampleHandler() {
	h := callback.Handler(printSFN{}, charge, callback.WithLogger(quiet()))

	out, err := h(context.Background(), []byte(`{"TaskToken":"AQB8…","id":"o-1","total":42}`))
	fmt.Println(string(out), err)

	out, err = h(context.Background(), []byte(`{"TaskToken":"AQB9…","id":"o-2","total":0}`))
	fmt.Println(string(out), err)
	// Output:
	// SendTaskSuccess {"orderId":"o-1","charged":42}
	// {"orderId":"o-1","charged":42} <nil>
	// SendTaskFailure error=InvalidOrder cause="total must be positive"
	// null <nil>
}

// An sqs:sendMessage.waitForTaskToken task sends the token in the message
// body: "MessageBody": {"TaskToken.$": "$$.Task.Token", "id.$": "$.id", ...}.
// Messages answered, success or failure, are deleted; one without a token is
// reported failed, and ends in the dead-letter queue after its retries.
func ExampleSQSWorker() {
	h := batch.SQS(callback.SQSWorker(printSFN{}, charge, callback.WithLogger(quiet())), batch.WithConcurrency(1), batch.WithLogger(quiet()))

	event := `{"Records":[
		{"messageId":"m-1","eventSource":"aws:sqs","body":"{\"TaskToken\":\"AQB8…\",\"id\":\"o-1\",\"total\":42}"},
		{"messageId":"m-2","eventSource":"aws:sqs","body":"{\"TaskToken\":\"AQB9…\",\"id\":\"o-2\",\"total\":0}"},
		{"messageId":"m-3","eventSource":"aws:sqs","body":"{\"id\":\"o-3\",\"total\":5}"}]}`
	resp, err := h(context.Background(), []byte(event))
	fmt.Println(string(resp), err)
	// Output:
	// SendTaskSuccess {"orderId":"o-1","charged":42}
	// SendTaskFailure error=InvalidOrder cause="total must be positive"
	// {"batchItemFailures":[{"itemIdentifier":"m-3"}]} <nil>
}

// Run answers a token that arrives some other way, here from a work queue of
// the caller's own.
func ExampleRun() {
	err := callback.Run(context.Background(), printSFN{}, "AQB8…", func(ctx context.Context) ([]string, error) {
		return []string{"a.png", "b.png"}, nil
	})
	fmt.Println(err)

	err = callback.Run(context.Background(), printSFN{}, "AQB9…", func(ctx context.Context) (int, error) {
		return 0, errors.New("disk full")
	}, callback.WithLogger(quiet()))
	var failed *callback.TaskFailedError
	fmt.Println(errors.As(err, &failed), failed.Name)
	// Output:
	// SendTaskSuccess ["a.png","b.png"]
	// <nil>
	// SendTaskFailure error=errorString cause="disk full"
	// true errorString
}

// quiet drops log records, so that the examples' output is only what they print.
func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }
