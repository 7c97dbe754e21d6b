package shopbot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/examples/shop/shopbot"
)

// TestCartReminder: a customer who fills a cart (three adds) and leaves
// it gets one reminder, with the cart's items and total; a customer who
// empties the cart before the reminder is due gets none. (River's
// scheduler makes due jobs available every 5 s: the reminder comes 0.5 to
// about 6 s after the first add.)
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
	if !strings.Contains(rem.Text, "3 item(s), $41.90") || len(emutest.Keyboard(rem)) == 0 {
		t.Errorf("reminder %q, want 3 items, $41.90 and a Cart button", rem.Text)
	}
	// Room for a wrong second reminder (6 s: the scheduler's period and more).
	time.Sleep(6 * time.Second)
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
