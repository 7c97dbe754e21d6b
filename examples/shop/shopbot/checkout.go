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

// Slots are the delivery slots offered by the form, in the default
// language (the catalogs' "slot.1" to "slot.3").
var Slots = []string{"Today 18–20", "Tomorrow 10–12", "Tomorrow 18–20"}

// phoneRE accepts digits with spaces, dashes, dots or brackets and an
// optional leading +; the number of digits is checked separately.
var phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 ().-]*[0-9]$`)

// parsePhone validates a phone number, saying hint when it is not one.
func parsePhone(hint string) form.Parser[string] {
	return form.Regexp(phoneRE, hint).Validate(func(v string) error {
		n := 0
		for _, r := range v {
			if r >= '0' && r <= '9' {
				n++
			}
		}
		if n < 7 || n > 15 {
			return form.Invalid(hint)
		}
		return nil
	})
}

// newCheckoutForm declares the checkout form in l's language: four
// fields, a summary, and h.placeOrder once the customer confirms. Every
// language's form has the same name, fields and state group, so a
// customer who changes language half-way carries on in the new one.
func newCheckoutForm(h *handlers, l *i18n.Localizer) *form.Form[Checkout] {
	t := func(id string) string { return l.T(id, nil) }
	slots := []string{t("slot.1"), t("slot.2"), t("slot.3")}
	return form.New[Checkout]("checkout").
		Field("name", t("checkout.step.name"),
			form.Into(form.Text(2, 64).WithError(t("checkout.invalid.name")), func(co *Checkout, v string) error { co.Name = v; return nil }),
			form.Label(t("checkout.label.name"))).
		Field("phone", t("checkout.step.phone"),
			form.Into(parsePhone(t("checkout.invalid.phone")), func(co *Checkout, v string) error { co.Phone = v; return nil }),
			form.Label(t("checkout.label.phone"))).
		Field("address", t("checkout.step.address"),
			form.Into(form.Text(5, 200).WithError(t("checkout.invalid.address")), func(co *Checkout, v string) error { co.Address = v; return nil }),
			form.Label(t("checkout.label.address"))).
		Field("slot", t("checkout.step.slot"),
			form.Into(form.OneOf(slots...).WithError(t("checkout.invalid.slot")), func(co *Checkout, v string) error { co.Slot = v; return nil }),
			form.Label(t("checkout.label.slot"))).
		Summary(func(co Checkout) string {
			return t("checkout.summary") + "\n\n" + co.Cart + "\n\n" +
				t("checkout.label.name") + ": " + co.Name + "\n" + t("checkout.label.phone") + ": " + co.Phone + "\n" +
				t("checkout.label.address") + ": " + co.Address + "\n" + t("checkout.label.slot") + ": " + co.Slot
		}).
		Texts(form.Texts{
			Back: t("form.back"), Skip: t("form.skip"), Cancel: t("form.cancel"), Confirm: t("form.confirm"), Edit: t("form.edit"),
			Stale: t("form.stale"), ChooseField: t("form.choose_field"), FirstField: t("form.first_field"),
			Required: t("form.required"), UseButtons: t("form.use_buttons"), Current: t("form.current"), Reset: t("form.reset"),
		}).
		OnDone(h.placeOrder).
		OnCancel(func(c *herald.Context) error {
			l := h.loc(c)
			return replyMenu(c, l, plain(l.T("checkout.cancelled", nil)))
		})
}

// registerCheckout adds one checkout form per language of the shop, each
// in a router that takes the updates of customers speaking it.
func (s *Shop) registerCheckout(r *herald.Router, h *handlers) {
	s.checkouts = map[string]*form.Form[Checkout]{}
	for _, lang := range s.texts.Languages() {
		f := newCheckoutForm(h, s.texts.Localizer(lang))
		s.checkouts[lang] = f
		lr := herald.NewRouter("checkout " + lang)
		lr.Filter(func(c *herald.Context) bool { return h.loc(c).Lang() == lang })
		f.Register(lr)
		r.Include(lr)
	}
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
	l := h.loc(c)
	return h.shop.checkouts[l.Lang()].StartWith(c, Checkout{Key: rand.Text(), Cart: linesText(l, cart.Lines, cart.TotalCents())})
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
