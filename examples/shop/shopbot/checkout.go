package shopbot

import (
	"crypto/rand"
	"errors"
	"regexp"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/format"
	"github.com/heraldbot/herald/fsm/form"
	"github.com/heraldbot/herald/i18n"
)

// Checkout is what the checkout form fills. It is stored as JSON in the
// conversation state while the form runs, so the customer can leave and
// come back, even after the bot restarted.
type Checkout struct {
	// Key identifies this checkout: the order it creates is placed once
	// per key (c.Once, and a unique column in the database).
	Key string
	// Cart is the cart as it was when the checkout began, for the summary.
	Cart                       string
	Name, Phone, Address, Slot string
}

// Delivery slots offered by the form.
var Slots = []string{"Today 18–20", "Tomorrow 10–12", "Tomorrow 18–20"}

// phoneRE accepts digits with spaces, dashes, dots or brackets and an
// optional leading +; the number of digits is checked separately.
var phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 ().-]*[0-9]$`)

// phoneHint is the validation error of the phone field.
const phoneHint = "That does not look like a phone number. Please send 7 to 15 digits, e.g. +1 555 010 0199."

// parsePhone validates a phone number and normalises its spacing.
var parsePhone = form.Regexp(phoneRE, phoneHint).Validate(func(v string) error {
	n := 0
	for _, r := range v {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	if n < 7 || n > 15 {
		return form.Invalid(phoneHint)
	}
	return nil
})

// newCheckoutForm declares the checkout form: four fields, a summary, and
// h.placeOrder once the customer confirms.
func newCheckoutForm(h *handlers) *form.Form[Checkout] {
	return form.New[Checkout]("checkout").
		Field("name", "Checkout, step 1 of 4: what name should we put on the order?",
			form.Into(form.Text(2, 64), func(co *Checkout, v string) error { co.Name = v; return nil }), form.Label("Name")).
		Field("phone", "Step 2 of 4: your phone number, so the courier can call you?",
			form.Into(parsePhone, func(co *Checkout, v string) error { co.Phone = v; return nil }), form.Label("Phone")).
		Field("address", "Step 3 of 4: the delivery address?",
			form.Into(form.Text(5, 200), func(co *Checkout, v string) error { co.Address = v; return nil }), form.Label("Address")).
		Field("slot", "Step 4 of 4: when should we deliver?",
			form.Into(form.OneOf(Slots...), func(co *Checkout, v string) error { co.Slot = v; return nil }), form.Label("Delivery")).
		Summary(func(co Checkout) string {
			return "Please check your order:\n\n" + co.Cart + "\n\n" +
				"Name: " + co.Name + "\nPhone: " + co.Phone + "\nAddress: " + co.Address + "\nDelivery: " + co.Slot
		}).
		OnDone(h.placeOrder).
		OnCancel(func(c *herald.Context) error {
			l := h.loc(c)
			return replyMenu(c, l, plain(l.T("checkout.cancelled", nil)))
		})
}

// startCheckout begins the form with a fresh key and the cart's summary.
func (h *handlers) startCheckout(c *herald.Context) error {
	cart, err := h.carts.Get(c).Get(c, c.Sender().ID)
	if err != nil {
		return err
	}
	if cart.Empty() {
		return c.Answer(h.loc(c).T("checkout.empty", nil))
	}
	if err := c.Answer(""); err != nil {
		return err
	}
	return h.shop.checkout.StartWith(c, Checkout{Key: rand.Text(), Cart: linesText(h.loc(c), cart.Lines, cart.TotalCents())})
}

// OrderTTL is how long a checkout key is remembered by c.Once; the
// database's unique key guards it for good.
const OrderTTL = 7 * 24 * time.Hour

// placeOrder is the form's OnDone: it places the order once, however
// often and however fast Confirm is pressed (the form clears its state
// first; c.Once guards instances sharing the State; the unique key in the
// database guards everything else), then queues the receipt.
func (h *handlers) placeOrder(c *herald.Context, co Checkout) error {
	customer := c.Sender().ID
	cart, err := h.carts.Get(c).Get(c, customer)
	if err != nil {
		return err
	}
	l := h.loc(c)
	if !cart.Empty() && linesText(l, cart.Lines, cart.TotalCents()) != co.Cart {
		// Items were added or removed after the checkout began: order
		// nothing the customer did not see in the summary. (An empty
		// cart goes on: the order may just have been placed, and Place
		// tells which.)
		if _, err := c.Reply(l.T("checkout.changed", nil)); err != nil {
			return err
		}
		return h.replyCart(c, false)
	}
	// A customer who never sent /start is recorded now, for /stats and
	// broadcasts.
	u := c.Sender()
	if err := h.customers.Get(c).Touch(c, service.Customer{ID: u.ID, Name: u.FirstName}, time.Now()); err != nil {
		return err
	}
	// Everything that follows an order happens inside Once: the order,
	// the confirmation and the receipt. Another delivery of this Confirm
	// (to this instance or another one sharing the engine) then does
	// nothing (ran is false), while an instance that dies half-way
	// leaves it to the next delivery, which finds the order already
	// placed (the database's unique key) and confirms it.
	ran, err := c.Once("shop-order:"+co.Key, OrderTTL, func() error {
		ord, created, err := h.orders.Get(c).Place(c, co.Key, customer, service.Checkout{
			Name: co.Name, Phone: co.Phone, Address: co.Address, Slot: co.Slot,
		}, time.Now())
		if err != nil {
			return err
		}
		if !created {
			h.shop.log.Info("confirming an order placed by an earlier attempt", "order", ord.ID)
		}
		m, err := format.Build(orderPart(l, ord), format.Text("\n\n"+l.T("order.receipt", nil)))
		if err != nil {
			return err
		}
		if err := replyMenu(c, l, m); err != nil {
			return err
		}
		// The receipt's placeholder and its job: durable, delivered
		// once (Receipts).
		return h.receipts.Get(c).Queue(c, c.Client(), c.Chat().ID, ord)
	})
	switch {
	case errors.Is(err, service.ErrEmptyCart):
		return replyMenu(c, l, plain(l.T("checkout.nothing", nil)))
	case err != nil:
		return err
	case !ran:
		return nil // placed and confirmed already, or being placed by another instance
	}
	return nil
}

// orderPart describes a placed order.
func orderPart(l *i18n.Localizer, o service.Order) format.Part {
	return format.Join(
		format.Bold(format.Text(l.T("order.confirmed", map[string]any{"ID": o.ID}))),
		format.Text("\n\n"), linesPart(l, o.Lines, o.TotalCents), format.Text("\n"),
		format.Text(l.T("order.delivery", map[string]any{"Slot": o.Slot, "Address": o.Address, "Name": o.Name, "Phone": o.Phone})))
}
