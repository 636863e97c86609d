package orders

// Order is the order document of the write-up, the state machine's input.
type Order struct {
	OrderID   string `json:"orderId"`
	OrderDate string `json:"orderDate"`
	Detail    Detail `json:"detail"`
}

// Detail is an order's customer, delivery and payment details and its items.
type Detail struct {
	CustomerID      string `json:"customerId"`
	DeliveryAddress string `json:"deliveryAddress"`
	DeliverySpeed   string `json:"deliverySpeed"`
	PaymentMethod   string `json:"paymentMethod"`
	Items           []Item `json:"items"`
}

// Item is one line of an order.
type Item struct {
	ProductName string  `json:"productName"`
	Category    string  `json:"category"`
	Price       float64 `json:"price"`
	Quantity    int     `json:"quantity"`
}

// Payment is ValidatePayment's result, kept at $.payment.
type Payment struct {
	AuthorizationID string  `json:"authorizationId"`
	Amount          float64 `json:"amount"`
}

// ItemTask is the input of the per-item states: the Map's ItemSelector
// builds it, and each state adds its result under its ResultPath.
type ItemTask struct {
	OrderID         string       `json:"orderId"`
	DeliveryAddress string       `json:"deliveryAddress"`
	DeliverySpeed   string       `json:"deliverySpeed"`
	Item            Item         `json:"item"`
	Availability    *Reservation `json:"availability,omitempty"`
	Parcel          *Parcel      `json:"parcel,omitempty"`
}

// Reservation is CheckAvailability's result, kept at $.availability.
type Reservation struct {
	ReservationID string `json:"reservationId"`
}

// Parcel is PrepareForDelivery's result, kept at $.parcel.
type Parcel struct {
	ParcelID string `json:"parcelId"`
}

// Shipment is the outcome for one item: StartDelivery's result, or the
// ItemUnavailable and ItemFailed states' stand-ins with a reason.
type Shipment struct {
	ProductName string `json:"productName"`
	// Status is SHIPPED, UNAVAILABLE or FAILED.
	Status     string `json:"status"`
	TrackingID string `json:"trackingId,omitempty"`
	ParcelID   string `json:"parcelId,omitempty"`
	// DeliveryDays is how many days the carrier promises.
	DeliveryDays int `json:"deliveryDays,omitempty"`
	// Reason is the error name that made the item UNAVAILABLE or FAILED.
	Reason string `json:"reason,omitempty"`
}

// Shipment statuses.
const (
	StatusShipped     = "SHIPPED"
	StatusUnavailable = "UNAVAILABLE"
	StatusFailed      = "FAILED"
)

// SummaryInput is SendOrderSummary's input: the order with the payment and
// one shipment per item added by the workflow.
type SummaryInput struct {
	Order
	Payment   Payment    `json:"payment"`
	Shipments []Shipment `json:"shipments"`
}

// Summary is the workflow's output, the summary sent to the customer.
type Summary struct {
	OrderID     string     `json:"orderId"`
	CustomerID  string     `json:"customerId"`
	Charged     float64    `json:"charged"`
	Shipped     int        `json:"shipped"`
	Unavailable []string   `json:"unavailable"`
	Failed      []string   `json:"failed"`
	Shipments   []Shipment `json:"shipments"`
	Message     string     `json:"message"`
}

// Notification is NotifyCustomer's input on the payment-failure path.
type Notification struct {
	OrderID    string `json:"orderId"`
	CustomerID string `json:"customerId"`
	// Reason is the Cause of the caught error: the Lambda error JSON.
	Reason string `json:"reason"`
}

// Notified is NotifyCustomer's result; the state discards it.
type Notified struct {
	CustomerID string `json:"customerId"`
	Channel    string `json:"channel"`
}
