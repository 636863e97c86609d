package callback_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
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
	h := callback.Handler(printSFN{}, charge)

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
