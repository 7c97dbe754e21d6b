package shopbot

import (
	"fmt"
	"strconv"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/format"
	"github.com/heraldbot/herald/i18n"
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
	l := h.loc(c)
	var b buttons
	var catalog []tg.InlineKeyboardButton
	add(&b, &catalog, pageData, l.T("menu.catalog", nil), pageArgs{0})
	if cart.Empty() {
		kb, err := b.kb.Row(catalog...).Markup()
		if err != nil {
			return err
		}
		return show(c, edit, plain(l.T("cart.empty", nil)), kb)
	}
	for _, line := range cart.Lines {
		var row []tg.InlineKeyboardButton
		add(&b, &row, cartData, "➖ "+line.Name, cartArgs{Act: "rm", ID: line.ProductID})
		b.kb.Row(row...)
	}
	var acts []tg.InlineKeyboardButton
	add(&b, &acts, cartData, l.T("cart.checkout", nil), cartArgs{Act: "checkout"})
	add(&b, &acts, cartData, l.T("cart.clear", nil), cartArgs{Act: "clear"})
	kb, err := b.kb.Row(acts...).Row(catalog...).Markup()
	if err != nil {
		return err
	}
	m, err := format.Build(format.Bold(format.Text(l.T("cart.title", nil))), format.Text("\n\n"), linesPart(l, cart.Lines, cart.TotalCents()))
	if err != nil {
		return err
	}
	return show(c, edit, m, kb)
}

// linesPart lists the lines of a cart or an order, then the total (bold).
func linesPart(l *i18n.Localizer, lines []service.Line, totalCents int64) format.Part {
	parts := make([]format.Part, 0, len(lines)+1)
	for _, line := range lines {
		parts = append(parts, format.Text(fmt.Sprintf("• %s × %d — %s\n", line.Name, line.Qty, service.Money(line.SubtotalCents()))))
	}
	parts = append(parts, format.Bold(format.Text(l.T("cart.total", map[string]any{"Total": service.Money(totalCents)}))))
	return format.Join(parts...)
}

// linesText is linesPart's text.
func linesText(l *i18n.Localizer, lines []service.Line, totalCents int64) string {
	m, err := format.Build(linesPart(l, lines, totalCents))
	if err != nil {
		return "" // only plain text and bold: cannot fail
	}
	return m.Text
}

// pressName names the Once of a button press that changes the cart: one
// per update, so a press handled twice changes it once.
func pressName(what string, c *herald.Context) string {
	return "shop-" + what + ":" + strconv.FormatInt(c.Update.UpdateID, 10)
}
