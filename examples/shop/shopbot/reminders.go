package shopbot

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/i18n"
	"github.com/heraldbot/herald/jobs"
	"github.com/heraldbot/herald/keyboard"
	"github.com/heraldbot/herald/tg"
)

// Reminders nudges a customer whose cart still has items some time
// after they filled it: a scheduled River job per customer, unique while
// it waits, so filling a cart item by item schedules one reminder.
type Reminders struct {
	texts *i18n.Catalog
	jobs  *jobs.Client
	carts *service.Carts
	after time.Duration // < 0: off
	log   *slog.Logger
}

// reminderArgs is the reminder job of one customer's cart, in the
// customer's language when the cart was filled. One reminder waits per
// customer and chat, whatever the language.
type reminderArgs struct {
	CustomerID int64  `json:"customer_id" river:"unique"`
	ChatID     int64  `json:"chat_id" river:"unique"`
	Lang       string `json:"lang,omitzero"` // "": the default language
}

func (reminderArgs) Kind() string { return "shop_cart_reminder" }

// reminderStates are the states in which a reminder blocks another one:
// all but finished ones, so that a cart filled again after a reminder
// (or after an order) gets its own.
var reminderStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateRetryable, rivertype.JobStateScheduled,
}

// ReminderText starts the reminder's message (in English).
const ReminderText = "🛒 You left something in your cart"

func newReminders(texts *i18n.Catalog, q *jobs.Client, carts *service.Carts, after time.Duration, log *slog.Logger) (*Reminders, error) {
	r := &Reminders{texts: texts, jobs: q, carts: carts, after: after, log: log}
	if err := jobs.Handle(q, r.work); err != nil {
		return nil, fmt.Errorf("shopbot: %w", err)
	}
	return r, nil
}

// Schedule queues the reminder of customer's cart, in language lang,
// unless one waits already. A failure is logged, not returned: a
// reminder is a nicety.
func (r *Reminders) Schedule(ctx context.Context, customer, chatID int64, lang string) {
	if r.after < 0 {
		return
	}
	_, err := r.jobs.Insert(ctx, reminderArgs{CustomerID: customer, ChatID: chatID, Lang: lang}, &river.InsertOpts{
		ScheduledAt: time.Now().Add(r.after),
		MaxAttempts: 5,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: reminderStates},
	})
	if err != nil {
		r.log.Warn("scheduling a cart reminder", "customer", customer, "err", err)
	}
}

// work sends the reminder if the cart still has items. It is at least
// once: a crash between the send and the job's completion sends it again.
func (r *Reminders) work(ctx context.Context, j *jobs.Job[reminderArgs]) error {
	cart, err := r.carts.Get(ctx, j.Args.CustomerID)
	if err != nil {
		return err
	}
	if cart.Empty() {
		return nil // ordered or cleared meanwhile
	}
	var items int64
	for _, l := range cart.Lines {
		items += l.Qty
	}
	l := r.texts.Localizer(j.Args.Lang)
	text := l.N("reminder", int(items), map[string]any{"Count": items, "Total": service.Money(cart.TotalCents())})
	cartButton, err := keyboard.Typed(menuData, l.T("menu.cart", nil), menuArgs{"cart"})
	if err != nil {
		return err
	}
	kb, err := new(keyboard.Inline).Row(cartButton).Markup()
	if err != nil {
		return err
	}
	_, err = j.Bot.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(j.Args.ChatID), Text: text,
		ReplyMarkup: kb})
	if tg.IsForbidden(err) {
		return river.JobCancel(err) // blocked: never mind
	}
	return err
}
