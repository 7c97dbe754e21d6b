package shopbot

import (
	"fmt"
	"strings"

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

// broadcast sends the command's text to every customer, in the
// background and at bulk priority, so that replies to customers go first.
func (h *handlers) broadcast(c *herald.Context) error {
	text := strings.TrimSpace(c.Args())
	if text == "" {
		_, err := c.Reply("Usage: /broadcast <text> — sends the text to every customer.")
		return err
	}
	started := h.shop.broadcasts.start(c.Client(), h.customers.Get(c), c.Chat().ID, "📣 "+text)
	if !started {
		_, err := c.Reply("A broadcast is already running; please wait for its report.")
		return err
	}
	_, err := c.Reply("Broadcast started; I will report when it is done.")
	return err
}
