package orders

import (
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
)

// Catalog is the in-memory stand-in for the warehouse service that
// CheckAvailability calls: the stock of each product, and the products whose
// warehouse is flaky, so that the first reservation attempt for them in an
// order fails with a [TransientError] and the state machine's Retry is seen
// at work. A Catalog is safe for concurrent use; the zero value has nothing
// in stock.
type Catalog struct {
	mu       sync.Mutex
	stock    map[string]int
	flaky    map[string]bool
	attempts map[string]int
}

// NewCatalog returns a catalog with the given stock per product name, whose
// products in flaky fail their first reservation per order transiently.
func NewCatalog(stock map[string]int, flaky ...string) *Catalog {
	c := &Catalog{stock: map[string]int{}, flaky: map[string]bool{}, attempts: map[string]int{}}
	// The maps are copied so that the caller's stay theirs.
	for name, n := range stock {
		c.stock[name] = n
	}
	for _, name := range flaky {
		c.flaky[name] = true
	}
	return c
}

// DefaultCatalog is the catalog the deployed functions and the demo use: the
// books of the write-up's order are in stock, "Domain-Driven Design" sits in
// a flaky warehouse, and "Refactoring" is sold out.
func DefaultCatalog() *Catalog {
	return NewCatalog(map[string]int{
		"Agile Software Development": 50,
		"Domain-Driven Design":       50,
		"Clean Architecture":         50,
		"Refactoring":                0,
	}, "Domain-Driven Design")
}

var errWarehouseTimeout = errors.New("warehouse did not answer in time")

// maxTrackedAttempts bounds the reservation attempts a Catalog remembers.
const maxTrackedAttempts = 10_000

// Reserve reserves item for the order and returns the reservation id. It
// does not decrement the stock: the stand-in only decides the outcome.
func (c *Catalog) Reserve(orderID string, item Item) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := orderID + "/" + item.ProductName
	if c.flaky[item.ProductName] {
		// Only flaky products are tracked, and the record is bounded, so a
		// long-lived Lambda environment does not grow without limit; a
		// forgotten order merely sees its flaky item fail once more.
		if len(c.attempts) >= maxTrackedAttempts {
			clear(c.attempts)
		}
		c.attempts[key]++
		if c.attempts[key] == 1 {
			return "", &TransientError{Op: "reserve " + item.ProductName, Err: errWarehouseTimeout}
		}
	}
	if n := c.stock[item.ProductName]; item.Quantity > n {
		return "", &OutOfStockError{ProductName: item.ProductName, Requested: item.Quantity, InStock: n}
	}
	return "rsv-" + shortID(key), nil
}

// creditLimit is the largest amount the stand-in payment service authorizes.
const creditLimit = 5000.0

// declinedMethods are payment methods the stand-in payment service refuses.
var declinedMethods = map[string]string{
	"expiredCard": "the card has expired",
	"stolenCard":  "the card was reported stolen",
}

// authorize is the stand-in payment service.
func authorize(o Order, amount float64) (Payment, error) {
	if reason, ok := declinedMethods[o.Detail.PaymentMethod]; ok {
		return Payment{}, &PaymentDeclinedError{OrderID: o.OrderID, Reason: reason}
	}
	if amount > creditLimit {
		return Payment{}, &PaymentDeclinedError{OrderID: o.OrderID, Reason: fmt.Sprintf("%.2f exceeds the credit limit", amount)}
	}
	return Payment{AuthorizationID: "auth-" + shortID(o.OrderID), Amount: amount}, nil
}

// deliveryDays is the carrier's promise per delivery speed.
var deliveryDays = map[string]int{"same-day": 0, "1-day": 1, "2-day": 2, "standard": 5}

// shortID derives a stable id from key, so that a retried task returns the
// same id and the workflow's output is deterministic.
func shortID(key string) string {
	h := fnv.New64a()
	h.Write([]byte(key))
	return fmt.Sprintf("%012x", h.Sum64()&0xffffffffffff)
}
