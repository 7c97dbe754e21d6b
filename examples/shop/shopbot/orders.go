package shopbot

import (
	"fmt"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/examples/shop/service"
)

// HistorySize is how many orders /orders lists.
const HistorySize = 10

// showOrders lists the customer's latest orders.
func (h *handlers) showOrders(c *herald.Context) error {
	list, err := h.orders.Get(c).History(c, c.Sender().ID, HistorySize)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		_, err := c.ReplyWith(textWith("📦 You have no orders yet.", menuKeyboard()))
		return err
	}
	var b strings.Builder
	b.WriteString("📦 Your orders\n")
	for _, o := range list {
		fmt.Fprintf(&b, "\n#%d · %s · %s\n   %s, %s",
			o.ID, o.CreatedAt.UTC().Format("2 Jan 15:04"), service.Money(o.TotalCents), o.Slot, o.Address)
	}
	_, err = c.ReplyWith(textWith(b.String(), menuKeyboard()))
	return err
}
