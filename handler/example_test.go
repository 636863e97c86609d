package handler_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/lambdakit/lambdakit/handler"
)

type Payment struct {
	OrderID string  `json:"orderId"`
	Amount  float64 `json:"amount"`
}

type Approval struct {
	OrderID  string `json:"orderId"`
	Approved bool   `json:"approved"`
}

// Example builds a typed handler with every built-in middleware and invokes it
// with raw JSON, as the Lambda runtime (or a test) does. In main, the last
// step would be handler.Start(h).
func Example() {
	validate := func(ctx context.Context, p Payment) (Approval, error) {
		if p.Amount <= 0 {
			return Approval{}, errors.New("amount must be positive")
		}
		return Approval{OrderID: p.OrderID, Approved: true}, nil
	}
	h := handler.New(validate, handler.Defaults(handler.WithLogger(slog.New(slog.DiscardHandler)))...)

	out, err := h.Invoke(context.Background(), []byte(`{"orderId":"12345678","amount":92}`))
	fmt.Println(string(out), err)

	_, err = h.Invoke(context.Background(), []byte(`{"orderId":12345678}`))
	fmt.Println(handler.ErrorType(err))
	// Output:
	// {"orderId":"12345678","approved":true} <nil>
	// DecodeError
}

// ExampleWrap gives an existing Go Lambda lambdakit's middleware without
// changing it: here a panic becomes a PanicError that a state machine can
// Catch, instead of a crashed process.
func ExampleWrap() {
	legacy := func(ctx context.Context, event map[string]string) (string, error) {
		if event["name"] == "" {
			panic("no name")
		}
		return "hello " + event["name"], nil
	}
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" || a.Key == "function_name" || a.Key == "function_version" {
				return slog.Attr{} // keep the output stable
			}
			return a
		},
	}))
	h, err := handler.Wrap(legacy, handler.Defaults(handler.WithLogger(logger))...)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := h.Invoke(context.Background(), []byte(`{"name":"Ada"}`))
	fmt.Println(string(out))
	_, err = h.Invoke(context.Background(), []byte(`{}`))
	fmt.Println(handler.ErrorType(err))
	// Output:
	// "hello Ada"
	// level=ERROR msg="invocation failed" cold_start=false error="handler: panic: no name" error_type=PanicError
	// PanicError
}
