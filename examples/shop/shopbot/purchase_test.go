package shopbot_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/examples/shop/shopbot"
	"github.com/heraldbot/herald/examples/shop/shoptest"
)

// fillCart browses (turning pages), adds two mugs and one bag of beans,
// and returns the /cart message.
func fillCart(t *testing.T, ch *emutest.Chat) emulator.Entry {
	t.Helper()
	ch.SendWait("/start", "Welcome to the Herald coffee shop, "+ch.User.FirstName)
	cat := ch.SendWait("/catalog", "page 1 of 3")
	ch.Press(cat, "Next »")
	cat = ch.WaitEdited(cat.MessageID, "page 2 of 3")
	if got := ch.Press(cat, "Ceramic mug"); got != "Added Ceramic mug — 1 of these in your cart (1 item)." {
		t.Fatalf("first add answered %q", got)
	}
	if got := ch.Press(cat, "Ceramic mug"); got != "Added Ceramic mug — 2 of these in your cart (2 items)." {
		t.Fatalf("second add answered %q", got)
	}
	ch.Press(cat, "« Prev")
	cat = ch.WaitEdited(cat.MessageID, "page 1 of 3")
	// The toast tells this product's count from the cart's size.
	if got := ch.Press(cat, "Espresso beans"); got != "Added Espresso beans — 1 of these in your cart (3 items)." {
		t.Fatalf("third add answered %q", got)
	}
	cart := ch.SendWait("/cart", "Your cart")
	for _, want := range []string{"Ceramic mug × 2 — $30.00", "Espresso beans × 1 — $11.90", "Total: $41.90"} {
		if !strings.Contains(cart.Text, want) {
			t.Fatalf("cart lacks %q:\n%s", want, cart.Text)
		}
	}
	return cart
}

// fillForm checks out from the cart message up to the summary, with a
// wrong phone number on the way, and returns the summary.
func fillForm(t *testing.T, ch *emutest.Chat, cart emulator.Entry) emulator.Entry {
	t.Helper()
	ch.Press(cart, "Checkout")
	ch.WaitBot(cart.MessageID, "step 1 of 4")
	ch.SendWait("Ada Lovelace", "Step 2 of 4")
	bad := ch.SendWait("call me maybe", "does not look like a phone number")
	if !strings.Contains(bad.Text, "Step 2 of 4") {
		t.Fatalf("the phone question is not asked again: %q", bad.Text)
	}
	ch.SendWait("+44 20 7946 0958", "Step 3 of 4")
	slot := ch.SendWait("12 St James's Square, London", "Step 4 of 4")
	ch.Press(slot, "Tomorrow 10–12")
	sum := ch.WaitBot(slot.MessageID, "Please check your order")
	for _, want := range []string{"Total: $41.90", "Phone: +44 20 7946 0958", "Delivery: Tomorrow 10–12"} {
		if !strings.Contains(sum.Text, want) {
			t.Fatalf("summary lacks %q:\n%s", want, sum.Text)
		}
	}
	return sum
}

// confirmAndCheck confirms the summary and checks the order, its receipt
// and the history; it returns the order number.
func confirmAndCheck(t *testing.T, ch *emutest.Chat, sum emulator.Entry) string {
	t.Helper()
	ch.Press(sum, "Confirm")
	conf := ch.WaitBot(sum.MessageID, "✅ Order #")
	if !strings.Contains(conf.Text, "Total: $41.90") {
		t.Fatalf("confirmation: %q", conf.Text)
	}
	num := strings.Fields(strings.TrimPrefix(conf.Text, "✅ Order #"))[0]
	receipt := ch.WaitBot(conf.MessageID, "Receipt for order #"+num)
	if len(receipt.Photo) == 0 {
		t.Fatalf("the receipt has no photo: %+v", receipt)
	}
	// The placeholder becomes the rendered receipt, in the same message.
	receipt = ch.WaitFor("the rendered receipt", func(e emulator.Entry) bool {
		return e.MessageID == receipt.MessageID && e.Caption == "🧾 Receipt for order #"+num
	})
	if len(receipt.Photo) == 0 || receipt.Photo[0].Width < 300 {
		t.Fatalf("the receipt is not the rendered one: %+v", receipt)
	}
	hist := ch.SendWait("/orders", "Your orders")
	if !strings.Contains(hist.Text, "#"+num+" ") || !strings.Contains(hist.Text, "$41.90") {
		t.Fatalf("history lacks order %s:\n%s", num, hist.Text)
	}
	ch.SendWait("/cart", "Your cart is empty")
	return num
}

func TestPurchaseSQLite(t *testing.T) {
	w := newWorld(t, "")
	w.start(t)
	ch := w.chat(t, 501, "Ada")
	confirmAndCheck(t, ch, fillForm(t, ch, fillCart(t, ch)))
	w.checkAdmin(t)
}

func TestPurchasePostgres(t *testing.T) {
	w := newWorld(t, shoptest.PostgresURL(t))
	w.start(t)
	ch := w.chat(t, 502, "Grace")
	confirmAndCheck(t, ch, fillForm(t, ch, fillCart(t, ch)))
}

// checkAdmin: /stats for the admin (user 1), refused for a customer;
// /broadcast reaches every customer.
func (w *world) checkAdmin(t *testing.T) {
	admin, customer := w.chat(t, 1, "Boss"), w.chat(t, 501, "Ada")
	admin.SendWait("/start", "Welcome")
	stats := admin.SendWait("/stats", "Shop statistics")
	if !strings.Contains(stats.Text, "Orders: 1") || !strings.Contains(stats.Text, "Revenue: $41.90") {
		t.Fatalf("stats: %q", stats.Text)
	}
	customer.SendWait("/stats", "for the shop's staff")
	after := customer.LastID()
	admin.SendWait("/broadcast Fresh beans today", "Broadcast started")
	customer.WaitBot(after, "📣 Fresh beans today")
	admin.WaitBot(0, "Broadcast done: 2 sent, 0 failed")
}

// TestConfirmOnce presses Confirm 20 times at once: one order.
func TestConfirmOnce(t *testing.T) {
	w := newWorld(t, "")
	w.start(t)
	ch := w.chat(t, 503, "Tess")
	sum := fillForm(t, ch, fillCart(t, ch))
	data := ch.Button(sum, "Confirm")
	var wg sync.WaitGroup
	var mu sync.Mutex
	var pressed []emulator.Pressed
	for range 20 {
		wg.Go(func() {
			// Presses after the keyboard changed may be refused by the
			// emulator (no such button); those count as not pressed.
			if p, err := ch.PressData(sum.MessageID, data); err == nil {
				mu.Lock()
				pressed = append(pressed, p)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(pressed) == 0 {
		t.Fatal("no press got through")
	}
	for _, p := range pressed {
		ch.WaitAnswer(p)
	}
	conf := ch.WaitBot(sum.MessageID, "✅ Order #")
	ch.WaitBot(conf.MessageID, "Receipt for order")
	orders, err := w.storage.DB.Orders().History(context.Background(), ch.User.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ch.Transcript() {
		if strings.HasPrefix(e.Text, "✅ Order #") {
			n++
		}
	}
	if len(orders) != 1 || n != 1 {
		t.Fatalf("%d presses made %d orders and %d confirmations, want 1 and 1:\n%s",
			len(pressed), len(orders), n, emutest.Dump(ch.Transcript()))
	}
	t.Logf("%d of 20 presses reached the bot; order #%d", len(pressed), orders[0].ID)
}

// TestRestartMidForm stops the bot in the middle of the checkout and
// starts it again on the same SQLite file: the form goes on where it was.
func TestRestartMidForm(t *testing.T) {
	w := newWorld(t, "")
	w.start(t)
	ch := w.chat(t, 504, "Lin")
	cart := fillCart(t, ch)
	ch.Press(cart, "Checkout")
	ch.WaitBot(cart.MessageID, "step 1 of 4")
	ch.SendWait("Lin Ma", "Step 2 of 4")
	w.stop()

	w.start(t)
	ch.SendWait("+1 555 010 0199", "Step 3 of 4")
	slot := ch.SendWait("1 Infinite Loop", "Step 4 of 4")
	ch.Press(slot, "Today 18–20")
	sum := ch.WaitBot(slot.MessageID, "Please check your order")
	if !strings.Contains(sum.Text, "Name: Lin Ma") {
		t.Fatalf("the name given before the restart is lost:\n%s", sum.Text)
	}
	confirmAndCheck(t, ch, sum)
}

// TestHandlerTimeout: a handler that runs out of its time (here at once)
// fails with the friendly error reply instead of hanging.
func TestHandlerTimeout(t *testing.T) {
	w := newWorld(t, "")
	w.start(t, func(c *shopbot.Config) { c.HandlerTimeout = time.Nanosecond })
	ch := w.chat(t, 505, "Oz")
	ch.SendWait("/start", shopbot.ErrorReply)
}
