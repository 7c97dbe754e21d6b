package shopbot

import (
	"strings"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/format"
)

// handlers holds what the shop's handlers need: the services, declared
// with herald.Require so that a bot missing one refuses to start.
type handlers struct {
	shop      *Shop
	catalog   herald.Dep[*service.Catalog]
	carts     herald.Dep[*service.Carts]
	customers herald.Dep[*service.Customers]
	orders    herald.Dep[*service.Orders]
	receipts  herald.Dep[*Receipts]
	reminders herald.Dep[*Reminders]
}

func newHandlers(r *herald.Router, s *Shop) *handlers {
	return &handlers{
		shop:      s,
		catalog:   herald.Require[*service.Catalog](r),
		carts:     herald.Require[*service.Carts](r),
		customers: herald.Require[*service.Customers](r),
		orders:    herald.Require[*service.Orders](r),
		receipts:  herald.Require[*Receipts](r),
		reminders: herald.Require[*Reminders](r),
	}
}

// register adds the customer-facing commands and buttons.
func (h *handlers) register(r *herald.Router) {
	r.Command("start", h.start)
	r.Command("help", h.help)
	r.Command("language", h.language)
	r.Command("catalog", h.showCatalog)
	r.Command("cart", h.showCart)
	r.Command("orders", h.showOrders)
	r.CallbackQuery(h.pageButton, pageData.Filter())
	r.CallbackQuery(h.addButton, addData.Filter())
	r.CallbackQuery(h.cartButton, cartData.Filter())
	r.CallbackQuery(h.menuButton, menuData.Filter())
}

// start greets the customer and records them (for broadcasts).
func (h *handlers) start(c *herald.Context) error {
	u := c.Sender()
	if u == nil {
		return nil
	}
	if err := h.customers.Get(c).Touch(c, service.Customer{ID: u.ID, Name: u.FirstName}, time.Now()); err != nil {
		return err
	}
	l := h.loc(c)
	return replyMenu(c, l, plain(l.T("welcome", map[string]any{"Name": u.FirstName})))
}

func (h *handlers) help(c *herald.Context) error {
	return reply(c, plain(h.loc(c).T("help", nil)), nil)
}

// language sets the customer's language ("/language de"), or lists the
// shop's languages.
func (h *handlers) language(c *herald.Context) error {
	texts := h.shop.texts
	if lang := strings.TrimSpace(c.Args()); lang != "" && texts.Supports(lang) {
		if err := texts.SetLang(c, lang); err != nil {
			return err
		}
		l := h.loc(c)
		return replyMenu(c, l, plain(l.T("language.set", nil)))
	}
	langs := texts.Languages()
	parts := make([]format.Part, 0, 2*len(langs))
	for i, lang := range langs {
		if i > 0 {
			parts = append(parts, format.Text(", "))
		}
		parts = append(parts, format.Code(lang))
	}
	// The list is formatted (each code in monospace), so it is built
	// around the localized sentence rather than inside it.
	text := h.loc(c).T("language.choose", map[string]any{"Langs": "\x00"})
	before, after, _ := strings.Cut(text, "\x00")
	m, err := format.Build(format.Text(before), format.Join(parts...), format.Text(after))
	if err != nil {
		return err
	}
	return reply(c, m, nil)
}

// fallback answers messages nothing else took.
func (h *handlers) fallback(c *herald.Context) error {
	if c.Chat() == nil || c.Chat().Type != "private" {
		return nil
	}
	l := h.loc(c)
	return replyMenu(c, l, plain(l.T("fallback", nil)))
}

// menuButton handles the main menu's buttons.
func (h *handlers) menuButton(c *herald.Context) error {
	v, _ := menuData.Value(c)
	if err := c.Answer(""); err != nil {
		return err
	}
	switch v.Go {
	case "cart":
		return h.replyCart(c, false)
	case "orders":
		return h.showOrders(c)
	default:
		return h.replyCatalog(c, 0, false)
	}
}
