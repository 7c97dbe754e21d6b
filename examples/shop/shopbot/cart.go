package shopbot

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/tg"
)

func (h *handlers) showCart(c *herald.Context) error { return h.replyCart(c, false) }

// cartButton: show the cart, take one item out, clear it, or check out.
func (h *handlers) cartButton(c *herald.Context) error {
	v, _ := cartData.Value(c)
	carts := h.carts.Get(c)
	customer := c.Sender().ID
	switch v.Act {
	case "rm":
		// Once per press: a press handled again (its worker died before
		// acknowledging it) must not take a second item out.
		if _, err := c.Once(pressName("cart-rm", c), herald.DedupTTL, func() error {
			return carts.RemoveOne(c, customer, v.ID)
		}); err != nil {
			return err
		}
	case "clear":
		if err := carts.Clear(c, customer); err != nil {
			return err
		}
	case "checkout":
		return h.startCheckout(c)
	}
	if err := c.Answer(""); err != nil {
		return err
	}
	return h.replyCart(c, true)
}

// replyCart shows the cart with a ➖ button per line, Checkout and Clear.
func (h *handlers) replyCart(c *herald.Context, edit bool) error {
	cart, err := h.carts.Get(c).Get(c, c.Sender().ID)
	if err != nil {
		return err
	}
	if cart.Empty() {
		return show(c, edit, "🛒 Your cart is empty.", keyboard(row(button("🛍 Catalog", pageData, pageArgs{0}))))
	}
	rows := make([][]tg.InlineKeyboardButton, 0, len(cart.Lines)+2)
	for _, l := range cart.Lines {
		rows = append(rows, row(button("➖ "+l.Name, cartData, cartArgs{Act: "rm", ID: l.ProductID})))
	}
	rows = append(rows,
		row(button("✅ Checkout", cartData, cartArgs{Act: "checkout"}), button("🗑 Clear", cartData, cartArgs{Act: "clear"})),
		row(button("🛍 Catalog", pageData, pageArgs{0})))
	return show(c, edit, "🛒 Your cart\n\n"+linesText(cart.Lines, cart.TotalCents()), keyboard(rows...))
}

// linesText lists the lines of a cart or an order, then the total.
func linesText(lines []service.Line, totalCents int64) string {
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "• %s × %d — %s\n", l.Name, l.Qty, service.Money(l.SubtotalCents()))
	}
	b.WriteString("Total: " + service.Money(totalCents))
	return b.String()
}

// pressName names the Once of a button press that changes the cart: one
// per update, so a press handled twice changes it once.
func pressName(what string, c *herald.Context) string {
	return "shop-" + what + ":" + strconv.FormatInt(c.Update.UpdateID, 10)
}
