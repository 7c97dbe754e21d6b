package form_test

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/fsm/form"
)

func TestFormStartBeforeRegister(t *testing.T) {
	f := form.New[Order]("early").
		Text("a", "A?", func(o *Order, v string) error { o.Name = v; return nil }).
		OnDone(func(*herald.Context, Order) error { return nil })
	if err := f.Start(nil); err == nil || !strings.Contains(err.Error(), "before Register") {
		t.Fatalf("Start before Register: %v", err)
	}
	r := herald.NewRouter("r")
	f.Register(r)
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "changed after Register") {
			t.Errorf("changing a registered form: panic %v", p)
		}
	}()
	f.Texts(form.Texts{Back: "<"})
}

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
