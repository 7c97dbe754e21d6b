package shopbot

import (
	"fmt"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/examples/shop/service"
)

// registerAdmin adds the staff commands to r, which the caller guards
// with middleware.AdminOnly.
func registerAdmin(r *herald.Router, h *handlers) {
	r.Command("stats", h.stats)
	r.Command("broadcast", h.broadcast)
}

// stats shows the shop's figures.
func (h *handlers) stats(c *herald.Context) error {
	st, err := h.orders.Get(c).Stats(c)
	if err != nil {
		return err
	}
	_, err = c.Reply(fmt.Sprintf("📊 Shop statistics\n\nCustomers: %d\nOrders: %d\nRevenue: %s",
		st.Customers, st.Orders, service.Money(st.RevenueCents)))
	return err
}
