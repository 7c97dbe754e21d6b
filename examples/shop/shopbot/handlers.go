package shopbot

import (
	"fmt"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/examples/shop/service"
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
	r.Command("catalog", h.showCatalog)
	r.Command("cart", h.showCart)
	r.Command("orders", h.showOrders)
	r.CallbackQuery(h.pageButton, pageData.Filter())
	r.CallbackQuery(h.addButton, addData.Filter())
	r.CallbackQuery(h.cartButton, cartData.Filter())
	r.CallbackQuery(h.menuButton, menuData.Filter())
}

const welcome = "Welcome to the Herald coffee shop, %s!\n\n" +
	"Browse the catalog, fill your cart and check out — your order is confirmed " +
	"once, however fast you tap, and a receipt follows.\n\n" +
	"/catalog — browse\n/cart — your cart\n/orders — your orders\n/help — more"

// start greets the customer and records them (for broadcasts).
func (h *handlers) start(c *herald.Context) error {
	u := c.Sender()
	if u == nil {
		return nil
	}
	if err := h.customers.Get(c).Touch(c, service.Customer{ID: u.ID, Name: u.FirstName}, time.Now()); err != nil {
		return err
	}
	_, err := c.ReplyWith(textWith(fmt.Sprintf(welcome, u.FirstName), menuKeyboard()))
	return err
}

const helpText = "This is Herald's example shop.\n\n" +
	"/catalog — browse the products; tap one to add it to your cart\n" +
	"/cart — change your cart and check out\n" +
	"/orders — your last orders\n" +
	"During checkout: /back, /skip and /cancel.\n\n" +
	"Staff: /stats, /broadcast <text>."

func (h *handlers) help(c *herald.Context) error {
	_, err := c.Reply(helpText)
	return err
}

// fallback answers messages nothing else took.
func (h *handlers) fallback(c *herald.Context) error {
	if c.Chat() == nil || c.Chat().Type != "private" {
		return nil
	}
	_, err := c.ReplyWith(textWith("I did not get that. Try /catalog, /cart or /orders.", menuKeyboard()))
	return err
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
