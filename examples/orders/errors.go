package orders

import "fmt"

// The error types' names are part of the state machine: the Lambda runtime
// reports a returned error by its Go type name, and statemachine.asl.json
// matches these names in Retry and Catch.

// PaymentDeclinedError reports a payment the payment service refused. The
// state machine catches it and notifies the customer.
type PaymentDeclinedError struct {
	OrderID string
	Reason  string
}

func (e *PaymentDeclinedError) Error() string {
	return fmt.Sprintf("orders: payment for order %s declined: %s", e.OrderID, e.Reason)
}

// OutOfStockError reports an item the warehouse cannot supply. The state
// machine catches it and marks the item UNAVAILABLE; the rest of the order
// still ships.
type OutOfStockError struct {
	ProductName string
	Requested   int
	InStock     int
}

func (e *OutOfStockError) Error() string {
	return fmt.Sprintf("orders: %q out of stock: %d requested, %d in stock", e.ProductName, e.Requested, e.InStock)
}

// TransientError reports a failure that is expected to pass, such as a
// service that timed out. Every task of the state machine retries it.
type TransientError struct {
	// Op is the operation that failed.
	Op  string
	Err error
}

func (e *TransientError) Error() string {
	return fmt.Sprintf("orders: %s: %v (transient)", e.Op, e.Err)
}

func (e *TransientError) Unwrap() error { return e.Err }

// InvalidOrderError reports an order the workflow cannot process at all. It
// is not retried or caught, so the execution fails with it.
type InvalidOrderError struct {
	OrderID string
	Reason  string
}

func (e *InvalidOrderError) Error() string {
	return fmt.Sprintf("orders: order %q is invalid: %s", e.OrderID, e.Reason)
}
