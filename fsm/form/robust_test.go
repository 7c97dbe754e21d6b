package form_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/fsm"
)

// TestFormBadStoredState: corrupt data goes through the error path and is
// cleared; a step the form no longer has (the bot changed) resets the form
// with a message. Neither panics.
func TestFormBadStoredState(t *testing.T) {
	r := newRig(t, "7001:form-bad")
	store := newMemory(t)
	r.run(store, orderBot(make(chan Order, 1)))
	dee := r.user(14, "Dee")

	wantText(t, "/order", dee.say("/order"), "What's your name?")
	rewrite(t, store, 14, 0, func(rec *fsm.Record) { *rec = fsm.Record{State: "order:qty", Data: []byte(`{"values": 42`)} })
	dee.send("3")
	r.waitErrors(1)
	if s := stateOf(t, store, 14); s != fsm.NoState {
		t.Errorf("state after corrupt data: %q, want it cleared", s)
	}
	r.wantCorrupt()

	if _, err := store.CompareAndSet(context.Background(), keyOf(14), 0, fsm.Record{State: "order:colour", Data: []byte(`{"run":"x"}`)}, 0); err != nil {
		t.Fatal(err)
	}
	wantText(t, "an unknown step", dee.say("red"), "This form has changed")
	if s := stateOf(t, store, 14); s != fsm.NoState {
		t.Errorf("state after an unknown step: %q, want it cleared", s)
	}
	r.noErrors()
}

// TestFormOnDoneFailureKeepsSummary: when OnDone fails, the summary comes
// back so that the user can confirm again.
func TestFormOnDoneFailureKeepsSummary(t *testing.T) {
	r := newRig(t, "7001:form-retry")
	store := newMemory(t)
	calls := 0
	r.run(store, orderBotWith(func(c *herald.Context, o Order) error {
		calls++
		if calls == 1 {
			return errors.New("database down")
		}
		_, err := c.Reply("Saved " + o.Name)
		return err
	}))
	eve := r.user(15, "Eve")
	eve.say("/order")
	eve.say("Eve")
	eve.say("1")
	eve.press("S")
	wantText(t, "skip", eve.say("/skip"), "1 × S for Eve")
	eve.tap("✔ Confirm")
	r.waitErrors(1)
	if s := stateOf(t, store, 15); s != "order:_summary" {
		t.Fatalf("state after a failed OnDone: %q, want the summary", s)
	}
	wantText(t, "confirm again", eve.press("✔ Confirm"), "Saved Eve")
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errs) != 1 || !strings.Contains(r.errs[0].Error(), "database down") {
		t.Errorf("errors %v, want the OnDone failure", r.errs)
	}
}
