package orders

// SampleOrder is the order of the write-up, with two more books: one whose
// warehouse is flaky (the Retry is seen at work) and one that is sold out
// (the Catch marks it unavailable). The demo and the tests run it.
func SampleOrder(orderID string) Order {
	return Order{
		OrderID:   orderID,
		OrderDate: "20190820101213",
		Detail: Detail{
			CustomerID:      "1234",
			DeliveryAddress: "123, Seattle, WA",
			DeliverySpeed:   "1-day",
			PaymentMethod:   "aCreditCard",
			Items: []Item{
				{ProductName: "Agile Software Development", Category: "book", Price: 60.0, Quantity: 1},
				{ProductName: "Domain-Driven Design", Category: "book", Price: 32.0, Quantity: 1},
				{ProductName: "Refactoring", Category: "book", Price: 45.5, Quantity: 2},
			},
		},
	}
}
