package orders_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/lambdakit/lambdakit/examples/orders"
	"github.com/lambdakit/lambdakit/handler"
)

func ExampleValidatePayment() {
	ctx := context.Background()
	p, _ := orders.ValidatePayment(ctx, orders.SampleOrder("12345678"))
	fmt.Println("charged", p.Amount)

	declined := orders.SampleOrder("12345679")
	declined.Detail.PaymentMethod = "expiredCard"
	_, err := orders.ValidatePayment(ctx, declined)
	var pd *orders.PaymentDeclinedError
	// The state machine's Catch matches the name the Lambda runtime reports.
	fmt.Println(errors.As(err, &pd), handler.ErrorType(err))
	// Output:
	// charged 183
	// true PaymentDeclinedError
}
