package form_test

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/fsm/form"
)

type Order struct {
	Name  string
	Qty   int
	Size  string
	Email string
}

var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[a-z]{2,}$`)

// orderBot registers the order form and /order on b; done receives the
// results.
func orderBot(done chan<- Order) func(b *herald.Bot) {
	return orderBotWith(func(c *herald.Context, o Order) error {
		done <- o
		_, err := c.Reply("Thank you!")
		return err
	})
}

// orderBotWith is orderBot with its own OnDone.
func orderBotWith(onDone func(c *herald.Context, o Order) error) func(b *herald.Bot) {
	return func(b *herald.Bot) {
		f := form.New[Order]("order").
			Text("name", "What's your name?", func(o *Order, v string) error { o.Name = v; return nil }).
			Field("qty", "How many?", form.Into(form.Int(1, 99), func(o *Order, v int) error { o.Qty = v; return nil }), form.Label("Quantity")).
			Field("size", "Which size?", form.Into(form.OneOf("S", "M", "L"), func(o *Order, v string) error { o.Size = v; return nil })).
			Field("email", "Your e-mail? (or skip)", form.Into(form.Regexp(emailRE, "That doesn't look like an e-mail address."),
				func(o *Order, v string) error { o.Email = v; return nil }), form.Optional()).
			Summary(func(o Order) string { return fmt.Sprintf("%d × %s for %s <%s>", o.Qty, o.Size, o.Name, o.Email) }).
			OnDone(onDone)
		r := b.Router()
		f.Register(r)
		r.Command("order", f.Start)
		r.Message(func(c *herald.Context) error { _, err := c.Reply("idle"); return err })
	}
}

// newMemory is an in-memory store, closed when the test ends.
func newMemory(t *testing.T) *memory.Store {
	store := memory.New(memory.Options{})
	t.Cleanup(func() { store.Close() })
	return store
}

// keyOf is the key of user's private chat with the bot 7001.
func keyOf(user int64) fsm.Key { return fsm.Key{BotID: 7001, ChatID: user, UserID: user} }

func stateOf(t *testing.T, store backend.State, user int64) fsm.State {
	t.Helper()
	rec, err := store.Get(context.Background(), keyOf(user))
	if err != nil {
		t.Fatal(err)
	}
	return fsm.State(rec.State)
}

// rewrite replaces user's stored conversation by what change makes of it,
// kept for ttl (0: no expiry).
func rewrite(t *testing.T, store backend.State, user int64, ttl time.Duration, change func(rec *fsm.Record)) {
	t.Helper()
	ctx := context.Background()
	rec, err := store.Get(ctx, keyOf(user))
	if err != nil {
		t.Fatal(err)
	}
	version := rec.Version
	change(&rec)
	if _, err := store.CompareAndSet(ctx, keyOf(user), version, rec, ttl); err != nil {
		t.Fatal(err)
	}
}

func TestFormEndToEnd(t *testing.T) {
	r := newRig(t, "7001:form-e2e")
	store := newMemory(t)
	done := make(chan Order, 4)
	r.run(store, orderBot(done))
	ann := r.user(11, "Ann")

	wantText(t, "/order", ann.say("/order"), "What's your name?")
	wantText(t, "name", ann.say("Ann"), "How many?")
	wantText(t, "bad quantity", ann.say("lots"), "Please send a whole number from 1 to 99.", "How many?")
	wantText(t, "/back", ann.say("/back"), "What's your name?", "Current answer: Ann")
	wantText(t, "name again", ann.say("Ann"), "How many?")
	wantText(t, "quantity out of range", ann.say("100"), "from 1 to 99", "How many?")
	wantText(t, "quantity", ann.say("3"), "Which size?")
	sizeMsg, sizeM := ann.button("M")
	wantText(t, "size button", ann.press("M"), "Your e-mail? (or skip)")
	wantText(t, "bad e-mail", ann.say("ann@"), "That doesn't look like an e-mail address.")
	wantText(t, "skip", ann.press("Skip »"), "3 × M for Ann <>")
	if s := stateOf(t, store, 11); s != "order:_summary" {
		t.Fatalf("state at the summary: %q", s)
	}
	wantText(t, "back from the summary", ann.press("« Back"), "Your e-mail?")
	wantText(t, "e-mail", ann.say("ann@example.com"), "3 × M for Ann <ann@example.com>")
	wantText(t, "text at the summary", ann.say("ok?"), "Please confirm or edit", "3 × M")

	if got := ann.tap("✎ Edit"); got != "Which answer do you want to change?" {
		t.Errorf("Edit answered %q", got)
	}
	wantText(t, "pick a field", ann.press("Quantity"), "How many?", "Current answer: 3")
	wantText(t, "changed quantity", ann.say("5"), "5 × M for Ann <ann@example.com>")

	if got := ann.tapOn(sizeMsg, sizeM); got != "This button is no longer active." {
		t.Errorf("a button of an earlier step answered %q", got)
	}
	summaryMsg, confirm := ann.button("✔ Confirm")
	wantText(t, "confirm", ann.press("✔ Confirm"), "Thank you!")
	want := Order{Name: "Ann", Qty: 5, Size: "M", Email: "ann@example.com"}
	if got := <-done; got != want {
		t.Errorf("OnDone got %+v, want %+v", got, want)
	}
	if s := stateOf(t, store, 11); s != fsm.NoState {
		t.Errorf("state after Confirm: %q", s)
	}
	if got := ann.tapOn(summaryMsg, confirm); got != "This button is no longer active." {
		t.Errorf("Confirm pressed again answered %q", got)
	}
	wantText(t, "after the form", ann.say("hello"), "idle")
	r.noErrors()
	if len(done) != 0 {
		t.Errorf("OnDone ran again: %+v", <-done)
	}
}

func TestFormCancel(t *testing.T) {
	r := newRig(t, "7001:form-cancel")
	store := newMemory(t)
	r.run(store, orderBot(make(chan Order, 1)))
	bob := r.user(12, "Bob")

	wantText(t, "/order", bob.say("/order"), "What's your name?")
	wantText(t, "/skip on a required field", bob.say("/skip"), "This question cannot be skipped.", "What's your name?")
	wantText(t, "/back on the first field", bob.say("/back"), "This is the first question.")
	wantText(t, "name", bob.say("Bob"), "How many?")
	wantText(t, "cancel button", bob.press("✖ Cancel"), "Cancelled.")
	if s := stateOf(t, store, 12); s != fsm.NoState {
		t.Errorf("state after Cancel: %q", s)
	}
	wantText(t, "after cancel", bob.say("7"), "idle")

	wantText(t, "/order again", bob.say("/order"), "What's your name?")
	wantText(t, "/cancel", bob.say("/cancel"), "Cancelled.")
	if s := stateOf(t, store, 12); s != fsm.NoState {
		t.Errorf("state after /cancel: %q", s)
	}
	// The first run's Back button is stale, whatever the state.
	if got := bob.tap("« Back"); got != "This button is no longer active." {
		t.Errorf("a button of a cancelled form answered %q", got)
	}
	r.noErrors()
}

// TestFormResumesAfterRestart is the restart test: the bot
// process restarts (Run stopped, the SQLite file closed and opened again,
// a new Bot) between two answers, and the form goes on at the same step.
func TestFormResumesAfterRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bot.db")
	r := newRig(t, "7001:form-restart")
	done := make(chan Order, 1)
	cy := r.user(13, "Cy")

	store, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stop := r.run(store, orderBot(done))
	wantText(t, "/order", cy.say("/order"), "What's your name?")
	wantText(t, "name", cy.say("Cy"), "How many?")
	wantText(t, "quantity", cy.say("2"), "Which size?")
	stop()
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	store, err = sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if s := stateOf(t, store, 13); s != "order:size" {
		t.Fatalf("stored state after the restart: %q, want order:size", s)
	}
	r.run(store, orderBot(done))
	wantText(t, "size, after the restart", cy.press("L"), "Your e-mail?")
	wantText(t, "e-mail", cy.say("cy@example.org"), "2 × L for Cy <cy@example.org>")
	wantText(t, "confirm", cy.press("✔ Confirm"), "Thank you!")
	want := Order{Name: "Cy", Qty: 2, Size: "L", Email: "cy@example.org"}
	if got := <-done; got != want {
		t.Errorf("OnDone got %+v, want %+v", got, want)
	}
	r.noErrors()
}
