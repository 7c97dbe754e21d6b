package shopbot

import (
	"fmt"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/format"
)

// HistorySize is how many orders /orders lists.
const HistorySize = 10

// showOrders lists the customer's latest orders.
func (h *handlers) showOrders(c *herald.Context) error {
	list, err := h.orders.Get(c).History(c, c.Sender().ID, HistorySize)
	if err != nil {
		return err
	}
	l := h.loc(c)
	if len(list) == 0 {
		return replyMenu(c, l, plain(l.T("orders.none", nil)))
	}
	parts := []format.Part{
		format.Bold(format.Text(l.T("orders.title", nil))),
		format.Text(" (" + l.N("orders.count", len(list), nil) + ")\n"),
	}
	for _, o := range list {
		parts = append(parts, format.Text("\n"), format.Bold(format.Text(fmt.Sprintf("#%d", o.ID))),
			format.Text(fmt.Sprintf(" · %s · %s\n   %s, %s",
				o.CreatedAt.UTC().Format("2 Jan 15:04"), service.Money(o.TotalCents), o.Slot, o.Address)))
	}
	m, err := format.Build(parts...)
	if err != nil {
		return err
	}
	return replyMenu(c, l, m)
}
