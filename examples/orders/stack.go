package orders

import "github.com/lambdakit/lambdakit/examples/stack"

// Stack describes the example's resources as template.yaml declares them.
func Stack() stack.Spec {
	fn := func(id, dir string, newFunc stack.NewFunc) stack.Function {
		return stack.Function{LogicalID: id, CodeURI: "examples/orders/functions/" + dir, New: newFunc}
	}
	return stack.Spec{
		Name: "orders",
		Functions: []stack.Function{
			fn("OrdersValidatePaymentFunction", "validatepayment", NewValidatePayment),
			fn("OrdersCheckAvailabilityFunction", "checkavailability", NewCheckAvailability),
			fn("OrdersPrepareForDeliveryFunction", "preparefordelivery", NewPrepareForDelivery),
			fn("OrdersStartDeliveryFunction", "startdelivery", NewStartDelivery),
			fn("OrdersSendOrderSummaryFunction", "sendordersummary", NewSendOrderSummary),
			fn("OrdersNotifyCustomerFunction", "notifycustomer", NewNotifyCustomer),
		},
		StateMachines: []stack.StateMachine{{
			LogicalID:     "OrdersStateMachine",
			DefinitionURI: "examples/orders/statemachine.asl.json",
			Substitutions: map[string]stack.Ref{
				"ValidatePaymentFunctionArn":    stack.ArnOf("OrdersValidatePaymentFunction"),
				"CheckAvailabilityFunctionArn":  stack.ArnOf("OrdersCheckAvailabilityFunction"),
				"PrepareForDeliveryFunctionArn": stack.ArnOf("OrdersPrepareForDeliveryFunction"),
				"StartDeliveryFunctionArn":      stack.ArnOf("OrdersStartDeliveryFunction"),
				"SendOrderSummaryFunctionArn":   stack.ArnOf("OrdersSendOrderSummaryFunction"),
				"NotifyCustomerFunctionArn":     stack.ArnOf("OrdersNotifyCustomerFunction"),
			},
		}},
	}
}
