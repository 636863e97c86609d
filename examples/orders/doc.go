// Package orders is the order-processing workflow of the users' write-up on
// the Map state: validate the payment, then check availability, prepare and
// start delivery for every item of the order, at most three items at a time,
// then send the customer a summary. A declined payment takes the
// notify-customer path instead.
//
// The handlers are plain typed functions ([handler.Func]) wrapped with
// lambdakit's default middleware. Their errors are typed, and the type names
// are what the state machine's Retry and Catch match: [TransientError] is
// retried, [OutOfStockError] marks the item unavailable, and
// [PaymentDeclinedError] routes to NotifyCustomer. The warehouse, payment and
// carrier services are in-memory stand-ins with deterministic behaviour, so
// the workflow's paths can be shown and tested; see [Catalog].
//
// Each function's main package under functions/ is one line:
//
//	func main() { stack.Start(orders.NewValidatePayment) }
//
// [Stack] describes the example's resources as template.yaml declares them.
package orders
