package orders

import (
	"context"
	"fmt"
	"log/slog"
	"math"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/lambdakit/lambdakit/handler"
)

// The New functions are the functions' constructors, with the signature of
// stack.NewFunc; none of the order functions needs AWS clients.

// NewValidatePayment builds the ValidatePayment function.
func NewValidatePayment(aws.Config, func(string) string) (lambda.Handler, error) {
	return handler.New(ValidatePayment, handler.Defaults()...), nil
}

// NewCheckAvailability builds the CheckAvailability function on
// [DefaultCatalog].
func NewCheckAvailability(aws.Config, func(string) string) (lambda.Handler, error) {
	return handler.New(CheckAvailability(DefaultCatalog()), handler.Defaults()...), nil
}

// NewPrepareForDelivery builds the PrepareForDelivery function.
func NewPrepareForDelivery(aws.Config, func(string) string) (lambda.Handler, error) {
	return handler.New(PrepareForDelivery, handler.Defaults()...), nil
}

// NewStartDelivery builds the StartDelivery function.
func NewStartDelivery(aws.Config, func(string) string) (lambda.Handler, error) {
	return handler.New(StartDelivery, handler.Defaults()...), nil
}

// NewSendOrderSummary builds the SendOrderSummary function.
func NewSendOrderSummary(aws.Config, func(string) string) (lambda.Handler, error) {
	return handler.New(SendOrderSummary, handler.Defaults()...), nil
}

// NewNotifyCustomer builds the NotifyCustomer function.
func NewNotifyCustomer(aws.Config, func(string) string) (lambda.Handler, error) {
	return handler.New(NotifyCustomer, handler.Defaults()...), nil
}

// ValidatePayment authorizes the order's total. A refused payment is a
// [*PaymentDeclinedError], which the state machine catches; an order with no
// items or a non-positive quantity or price is an [*InvalidOrderError].
func ValidatePayment(ctx context.Context, o Order) (Payment, error) {
	if len(o.Detail.Items) == 0 {
		return Payment{}, &InvalidOrderError{OrderID: o.OrderID, Reason: "no items"}
	}
	var total float64
	for _, it := range o.Detail.Items {
		if it.Quantity <= 0 || it.Price < 0 {
			return Payment{}, &InvalidOrderError{OrderID: o.OrderID, Reason: fmt.Sprintf("item %q has quantity %d and price %v", it.ProductName, it.Quantity, it.Price)}
		}
		total += it.Price * float64(it.Quantity)
	}
	// Cents, so that 0.1+0.2 does not print as 0.30000000000000004.
	total = math.Round(total*100) / 100
	p, err := authorize(o, total)
	if err != nil {
		return Payment{}, err
	}
	slog.InfoContext(ctx, "payment authorized", "order_id", o.OrderID, "amount", p.Amount)
	return p, nil
}

// CheckAvailability returns the handler that reserves one item in the
// catalog: a [*TransientError] when the warehouse is flaky (retried), an
// [*OutOfStockError] when it cannot supply the item (caught: the item is
// UNAVAILABLE).
func CheckAvailability(c *Catalog) handler.Func[ItemTask, Reservation] {
	return func(ctx context.Context, t ItemTask) (Reservation, error) {
		id, err := c.Reserve(t.OrderID, t.Item)
		if err != nil {
			return Reservation{}, err
		}
		return Reservation{ReservationID: id}, nil
	}
}

// PrepareForDelivery packs a reserved item into a parcel.
func PrepareForDelivery(ctx context.Context, t ItemTask) (Parcel, error) {
	if t.Availability == nil || t.Availability.ReservationID == "" {
		return Parcel{}, &InvalidOrderError{OrderID: t.OrderID, Reason: fmt.Sprintf("item %q was not reserved", t.Item.ProductName)}
	}
	return Parcel{ParcelID: "pcl-" + shortID(t.Availability.ReservationID)}, nil
}

// StartDelivery hands the parcel to the carrier and returns the item's
// shipment.
func StartDelivery(ctx context.Context, t ItemTask) (Shipment, error) {
	if t.Parcel == nil || t.Parcel.ParcelID == "" {
		return Shipment{}, &InvalidOrderError{OrderID: t.OrderID, Reason: fmt.Sprintf("item %q has no parcel", t.Item.ProductName)}
	}
	days, ok := deliveryDays[t.DeliverySpeed]
	if !ok {
		return Shipment{}, &InvalidOrderError{OrderID: t.OrderID, Reason: fmt.Sprintf("unknown delivery speed %q", t.DeliverySpeed)}
	}
	return Shipment{
		ProductName:  t.Item.ProductName,
		Status:       StatusShipped,
		TrackingID:   "trk-" + shortID(t.Parcel.ParcelID),
		ParcelID:     t.Parcel.ParcelID,
		DeliveryDays: days,
	}, nil
}

// SendOrderSummary tells the customer what shipped and what did not, and
// returns the summary as the workflow's output.
func SendOrderSummary(ctx context.Context, in SummaryInput) (Summary, error) {
	s := Summary{
		OrderID:     in.OrderID,
		CustomerID:  in.Detail.CustomerID,
		Charged:     in.Payment.Amount,
		Unavailable: []string{},
		Failed:      []string{},
		Shipments:   in.Shipments,
	}
	for _, sh := range in.Shipments {
		switch sh.Status {
		case StatusShipped:
			s.Shipped++
		case StatusUnavailable:
			s.Unavailable = append(s.Unavailable, sh.ProductName)
		default:
			s.Failed = append(s.Failed, sh.ProductName)
		}
	}
	s.Message = fmt.Sprintf("Order %s: %d of %d items on their way.", in.OrderID, s.Shipped, len(in.Shipments))
	if n := len(s.Unavailable) + len(s.Failed); n > 0 {
		s.Message += fmt.Sprintf(" %d could not be shipped and will be refunded.", n)
	}
	slog.InfoContext(ctx, "order summary sent", "order_id", s.OrderID, "customer_id", s.CustomerID, "shipped", s.Shipped)
	return s, nil
}

// NotifyCustomer tells the customer that the payment failed.
func NotifyCustomer(ctx context.Context, n Notification) (Notified, error) {
	if n.CustomerID == "" {
		return Notified{}, &InvalidOrderError{OrderID: n.OrderID, Reason: "no customer to notify"}
	}
	slog.InfoContext(ctx, "customer notified of a failed payment", "order_id", n.OrderID, "customer_id", n.CustomerID)
	return Notified{CustomerID: n.CustomerID, Channel: "email"}, nil
}
