package shopbot

import (
	"errors"
	"fmt"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/examples/shop/service"
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
	var b strings.Builder
	fmt.Fprintf(&b, "🛍 Catalog — page %d of %d\nTap a product to add it to your cart.\n", page+1, pages)
	rows := make([][]tg.InlineKeyboardButton, 0, len(products)+2)
	for _, p := range products {
		fmt.Fprintf(&b, "\n%s — %s\n   %s", p.Name, p.Price(), p.Description)
		rows = append(rows, row(button("➕ "+p.Name+" · "+p.Price(), addData, addArgs{ID: p.ID, Page: page})))
	}
	var nav []tg.InlineKeyboardButton
	if page > 0 {
		nav = append(nav, button("« Prev", pageData, pageArgs{page - 1}))
	}
	if page < pages-1 {
		nav = append(nav, button("Next »", pageData, pageArgs{page + 1}))
	}
	rows = append(rows, nav, row(button("🛒 Cart", cartData, cartArgs{Act: "show"})))
	return show(c, edit, b.String(), keyboard(rows...))
}

// addButton adds one product to the cart and says so in a toast.
func (h *handlers) addButton(c *herald.Context) error {
	v, _ := addData.Value(c)
	var qty int64
	// Once per press: a press handled again (its worker died before
	// acknowledging it) must not add a second item.
	ran, err := c.Once(pressName("cart-add", c), herald.DedupTTL, func() error {
		var err error
		qty, err = h.carts.Get(c).Add(c, c.Sender().ID, v.ID)
		return err
	})
	if errors.Is(err, service.ErrNotFound) {
		return c.Answer("Sorry, that product is no longer sold.")
	}
	if err != nil {
		return err
	}
	if ran {
		h.reminders.Get(c).Schedule(c, c.Sender().ID, c.Chat().ID)
	}
	p, err := h.catalog.Get(c).Product(c, v.ID)
	if err != nil {
		return err
	}
	if !ran { // handled before: the item is in; say how many are there now
		cart, err := h.carts.Get(c).Get(c, c.Sender().ID)
		if err != nil {
			return err
		}
		for _, l := range cart.Lines {
			if l.ProductID == v.ID {
				qty = l.Qty
			}
		}
	}
	return c.Answer(fmt.Sprintf("Added %s — %d in your cart.", p.Name, qty))
}
