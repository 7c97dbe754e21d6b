package shopbot

import (
	"errors"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/format"
	"github.com/heraldbot/herald/tg"
)

// PageSize is how many products a catalog page shows.
const PageSize = 5

func (h *handlers) showCatalog(c *herald.Context) error { return h.replyCatalog(c, 0, false) }

// pageButton turns the catalog's page in place.
func (h *handlers) pageButton(c *herald.Context) error {
	v, _ := pageData.Value(c)
	if err := c.Answer(""); err != nil {
		return err
	}
	return h.replyCatalog(c, v.Page, true)
}

// replyCatalog shows a page of the catalog: one button per product (a tap
// adds it to the cart), then the page buttons and the cart.
func (h *handlers) replyCatalog(c *herald.Context, page int, edit bool) error {
	products, pages, err := h.catalog.Get(c).Page(c, page, PageSize)
	if err != nil {
		return err
	}
	page = min(max(page, 0), pages-1)
	l := h.loc(c)
	parts := []format.Part{
		format.Bold(format.Text(l.T("catalog.title", map[string]any{"Page": page + 1, "Pages": pages}))),
		format.Text("\n" + l.T("catalog.hint", nil) + "\n"),
	}
	var b buttons
	for _, p := range products {
		parts = append(parts, format.Text("\n"), format.Bold(format.Text(p.Name)),
			format.Text(" — "+p.Price()+"\n   "), format.Italic(format.Text(p.Description)))
		var row []tg.InlineKeyboardButton
		add(&b, &row, addData, "➕ "+p.Name+" · "+p.Price(), addArgs{ID: p.ID, Page: page})
		b.kb.Row(row...)
	}
	var nav []tg.InlineKeyboardButton
	if page > 0 {
		add(&b, &nav, pageData, l.T("catalog.prev", nil), pageArgs{page - 1})
	}
	if page < pages-1 {
		add(&b, &nav, pageData, l.T("catalog.next", nil), pageArgs{page + 1})
	}
	var cart []tg.InlineKeyboardButton
	add(&b, &cart, cartData, l.T("menu.cart", nil), cartArgs{Act: "show"})
	kb, err := b.kb.Row(nav...).Row(cart...).Markup()
	if err != nil {
		return err
	}
	m, err := format.Build(parts...)
	if err != nil {
		return err
	}
	return show(c, edit, m, kb)
}

// addButton adds one product to the cart and says so in a toast that
// gives both numbers: how many of this product the cart holds, and how
// many items it holds in all.
func (h *handlers) addButton(c *herald.Context) error {
	v, _ := addData.Value(c)
	// Once per press: a press handled again (its worker died before
	// acknowledging it) must not add a second item.
	ran, err := c.Once(pressName("cart-add", c), herald.DedupTTL, func() error {
		_, err := h.carts.Get(c).Add(c, c.Sender().ID, v.ID)
		return err
	})
	if errors.Is(err, service.ErrNotFound) {
		return c.Answer(h.loc(c).T("catalog.gone", nil))
	}
	if err != nil {
		return err
	}
	if ran {
		h.reminders.Get(c).Schedule(c, c.Sender().ID, c.Chat().ID, h.loc(c).Lang())
	}
	p, err := h.catalog.Get(c).Product(c, v.ID)
	if err != nil {
		return err
	}
	// The cart as it is now, also when this press was handled before.
	cart, err := h.carts.Get(c).Get(c, c.Sender().ID)
	if err != nil {
		return err
	}
	var qty int64
	for _, l := range cart.Lines {
		if l.ProductID == v.ID {
			qty = l.Qty
		}
	}
	items := cart.Count()
	return c.Answer(h.loc(c).N("catalog.added", int(items), map[string]any{"Name": p.Name, "Count": qty, "Items": items}))
}
