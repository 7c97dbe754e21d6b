package form_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/tg"
)

// TestFormReplayedUpdate: an update handled a second time (a worker died
// after the form moved on and before its reply went out, and the update
// came again) does not answer the next question with the same text: the
// form shows the current question again.
func TestFormReplayedUpdate(t *testing.T) {
	r := newRig(t, "7001:form-replay")
	store := newMemory(t)
	done := make(chan Order, 1)
	stop := r.run(store, orderBot(done))
	ann := r.user(12, "Ann")
	wantText(t, "/order", ann.say("/order"), "What's your name?")
	stop()

	// Two bots, as two processes: the second does not know the first
	// handled the update (its claim died with it).
	u := &tg.Update{UpdateID: 777_000_001, Message: &tg.Message{MessageID: 10_000, Date: time.Now().Unix(),
		From: &tg.User{ID: 12, FirstName: "Ann"}, Chat: tg.Chat{ID: 12, Type: "private"}, Text: "42"}}
	for range 2 {
		b, err := herald.New(r.token, r.srv.Client(), herald.WithFSM(store, herald.FSMConfig{}))
		if err != nil {
			t.Fatal(err)
		}
		orderBot(done)(b)
		if err := b.HandleUpdate(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
	if s := stateOf(t, store, 12); s != "order:qty" {
		t.Fatalf("state after the name sent twice as one update: %q, want order:qty", s)
	}
	msgs := ann.botMessages()
	last2 := []string{msgs[len(msgs)-2].Text, msgs[len(msgs)-1].Text}
	for _, m := range last2 {
		if !strings.Contains(m, "How many?") {
			t.Fatalf("the bot's last messages %q: want the quantity question twice (asked, then asked again for the copy)", last2)
		}
	}
	r.run(store, orderBot(done))
	wantText(t, "quantity", ann.say("3"), "Which size?")
}
