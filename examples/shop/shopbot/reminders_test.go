package shopbot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/examples/shop/shopbot"
	"github.com/heraldbot/herald/jobs"
	"github.com/riverqueue/river/rivertype"
)

// TestCartReminder: a customer who fills a cart (three adds) and leaves
// it gets one reminder, with the cart's items and total; a customer who
// empties the cart before the reminder is due gets none. (River's
// scheduler makes due jobs available every 5 s: the reminder comes 0.5 to
// about 6 s after the first add.) River's rows say when all is done.
func TestCartReminder(t *testing.T) {
	w := newWorld(t, "")
	w.start(t, func(c *shopbot.Config) { c.CartReminder = 500 * time.Millisecond })
	ada := w.chat(t, 601, "Ada")
	fillCart(t, ada)
	bob := w.chat(t, 602, "Bob")
	bob.SendWait("/start", "Welcome")
	cat := bob.SendWait("/catalog", "page 1 of 3")
	bob.Press(cat, "Espresso beans")
	cart := bob.SendWait("/cart", "Your cart")
	bob.Press(cart, "Clear")
	bob.WaitEdited(cart.MessageID, "Your cart is empty")

	rem := ada.WaitFor("the cart reminder", func(e emulator.Entry) bool {
		return e.Sender == "bot" && strings.HasPrefix(e.Text, shopbot.ReminderText)
	})
	if !strings.Contains(rem.Text, "3 items, $41.90") || len(emutest.Keyboard(rem)) == 0 {
		t.Errorf("reminder %q, want 3 items, $41.90 and a Cart button", rem.Text)
	}
	// One reminder job per customer (three adds, one job), both done:
	// nothing more can come.
	q, err := jobs.New(context.Background(), jobs.Config{SQLite: w.storage.DB.SQL(), Logger: emutest.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	emutest.Until(t, 20*time.Second, "both reminder jobs to complete", func() bool {
		rows, err := q.List(context.Background(), jobs.ListParams{Kinds: []string{"shop_cart_reminder"}})
		if err != nil || len(rows) > 2 {
			t.Fatalf("reminder jobs: %d (%v), want 2", len(rows), err)
		}
		return len(rows) == 2 && rows[0].State == rivertype.JobStateCompleted && rows[1].State == rivertype.JobStateCompleted
	})
	if n := countPrefix(ada, shopbot.ReminderText); n != 1 {
		t.Errorf("Ada got %d reminders, want 1:\n%s", n, emutest.Dump(ada.BotMessages()))
	}
	if n := countPrefix(bob, shopbot.ReminderText); n != 0 {
		t.Errorf("Bob, whose cart is empty, got %d reminders", n)
	}
	ada.Press(rem, "Cart")
	ada.WaitBot(rem.MessageID, "Your cart")
}

func countPrefix(ch *emutest.Chat, prefix string) int {
	n := 0
	for _, e := range ch.BotMessages() {
		if strings.HasPrefix(e.Text, prefix) {
			n++
		}
	}
	return n
}
