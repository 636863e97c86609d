package orders_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/examples/localdeploy"
	"github.com/lambdakit/lambdakit/examples/orders"
	"github.com/lambdakit/lambdakit/localstack"
)

func TestMain(m *testing.M) { localstack.Main(m) }

// TestWorkflow runs the orders state machine end to end in the emulator with
// the example's real handlers, on the happy path (with a retried transient
// error and an unavailable item) and on both failure paths.
func TestWorkflow(t *testing.T) {
	em := localstack.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dep, err := localdeploy.Deploy(ctx, em, orders.Stack(), localdeploy.WithPrefix("orders-e2e"), localdeploy.WithRoot("../.."))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := dep.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})

	declined := orders.SampleOrder("o-declined")
	declined.Detail.PaymentMethod = "expiredCard"
	empty := orders.SampleOrder("o-empty")
	empty.Detail.Items = nil

	tests := []struct {
		name       string
		order      orders.Order
		wantStatus string
		wantError  string
		want       *orders.Summary
	}{
		{
			name:       "ships what is available",
			order:      orders.SampleOrder("o-happy"),
			wantStatus: "SUCCEEDED",
			want: &orders.Summary{
				OrderID:     "o-happy",
				CustomerID:  "1234",
				Charged:     183,
				Shipped:     2,
				Unavailable: []string{"Refactoring"},
				Failed:      []string{},
			},
		},
		{name: "declined payment notifies the customer", order: declined, wantStatus: "FAILED", wantError: "PaymentDeclined"},
		{name: "invalid order fails", order: empty, wantStatus: "FAILED", wantError: "InvalidOrderError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input, _ := json.Marshal(tt.order)
			ex, err := dep.Run(ctx, "OrdersStateMachine", tt.order.OrderID, string(input))
			if err != nil {
				t.Fatal(err)
			}
			if ex.Status != tt.wantStatus || ex.Error != tt.wantError {
				t.Fatalf("execution ended %s %q (%s), want %s %q; output %s", ex.Status, ex.Error, ex.Cause, tt.wantStatus, tt.wantError, ex.Output)
			}
			if tt.want == nil {
				return
			}
			var got orders.Summary
			if err := json.Unmarshal([]byte(ex.Output), &got); err != nil {
				t.Fatalf("output %s: %v", ex.Output, err)
			}
			statuses := map[string]string{}
			for _, s := range got.Shipments {
				statuses[s.ProductName] = s.Status
			}
			if diff := cmp.Diff(map[string]string{
				"Agile Software Development": orders.StatusShipped,
				"Domain-Driven Design":       orders.StatusShipped,
				"Refactoring":                orders.StatusUnavailable,
			}, statuses); diff != "" {
				t.Errorf("shipment statuses (-want +got):\n%s", diff)
			}
			got.Shipments, got.Message = nil, ""
			if diff := cmp.Diff(*tt.want, got); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
		})
	}

	// Three orders: the happy one reserves three items plus one retry of the
	// flaky warehouse; the other two stop before the Map.
	want := map[string]int64{
		"OrdersValidatePaymentFunction":    3,
		"OrdersCheckAvailabilityFunction":  4,
		"OrdersPrepareForDeliveryFunction": 2,
		"OrdersStartDeliveryFunction":      2,
		"OrdersSendOrderSummaryFunction":   1,
		"OrdersNotifyCustomerFunction":     1,
	}
	if diff := cmp.Diff(want, dep.Invocations()); diff != "" {
		t.Errorf("invocations (-want +got):\n%s", diff)
	}
}
