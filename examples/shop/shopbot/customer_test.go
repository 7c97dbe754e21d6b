package shopbot_test

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/examples/shop/shopbot"
	"github.com/heraldbot/herald/examples/shop/shoptest"
)

// onEngines runs test against a shop on SQLite and on PostgreSQL (which
// skips, or fails under CI=true, when PostgreSQL is unreachable), and
// fails if the shop logged an error meanwhile: none of these customer
// actions is a failure of the shop.
func onEngines(t *testing.T, test func(t *testing.T, w *world)) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dsn := ""
			if engine == "postgres" {
				dsn = shoptest.PostgresURL(t)
			}
			w := newWorld(t, dsn)
			var errs logBuffer
			w.start(t, func(c *shopbot.Config) {
				c.Logger = slog.New(slog.NewTextHandler(&errs, &slog.HandlerOptions{Level: slog.LevelError}))
			})
			test(t, w)
			if s := errs.String(); s != "" {
				t.Fatalf("the shop logged errors:\n%s", s)
			}
		})
	}
}

// logBuffer is a bytes.Buffer safe for concurrent use.
type logBuffer struct {
	mu  stdsync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// settle sends /cart and waits for its answer: updates of one chat are
// handled in order, so everything sent before has been handled then.
func settle(ch *emutest.Chat) emulator.Entry {
	ch.T.Helper()
	return ch.SendWait("/cart", "🛒 Your cart")
}

// noErrorReply fails the test if the bot told the customer it failed.
func noErrorReply(t *testing.T, ch *emutest.Chat) {
	t.Helper()
	for _, e := range ch.BotMessages() {
		if strings.Contains(e.Text, shopbot.ErrorReply) {
			t.Fatalf("the customer was sent the error reply:\n%s", emutest.Dump(ch.Transcript()))
		}
	}
}

// answerCheckout answers the checkout's questions from step 1 on (name,
// phone, address, then the slot "Today 18–20") and returns the summary.
func answerCheckout(ch *emutest.Chat, name, phone, address string) emulator.Entry {
	ch.T.Helper()
	ch.SendWait(name, "Step 2 of 4")
	ch.SendWait(phone, "Step 3 of 4")
	slot := ch.SendWait(address, "Step 4 of 4")
	ch.Press(slot, "Today 18–20")
	return ch.WaitBot(slot.MessageID, "Please check your order")
}

// hasButton reports whether e has a button whose label contains label.
func hasButton(e emulator.Entry, label string) bool {
	for _, row := range emutest.Keyboard(e) {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				return true
			}
		}
	}
	return false
}

// TestStaleCartMessage presses ➖ under an old cart message after the
// cart grew elsewhere, so that the edited message would read exactly as
// before: that is not an error for the customer (Telegram refuses such an
// edit with "message is not modified").
func TestStaleCartMessage(t *testing.T) {
	onEngines(t, func(t *testing.T, w *world) {
		ch := w.chat(t, 601, "Kim")
		cat := ch.SendWait("/catalog", "page 1 of 3")
		ch.Press(cat, "Espresso beans")
		ch.Press(cat, "Espresso beans")
		old := ch.SendWait("/cart", "Espresso beans × 2")
		if got := ch.Press(cat, "Espresso beans"); got != "Added Espresso beans — 3 of these in your cart (3 items)." {
			t.Fatalf("third add answered %q", got)
		}
		ch.Press(old, "➖ Espresso beans")
		if now := settle(ch); !strings.Contains(now.Text, "Espresso beans × 2") {
			t.Fatalf("cart after taking one of three:\n%s", now.Text)
		}
		noErrorReply(t, ch)
	})
}

// TestCartEdges: the empty cart, the last catalog page, removing the last
// item, Clear, and Checkout pressed under a cart that has been emptied.
func TestCartEdges(t *testing.T) {
	onEngines(t, func(t *testing.T, w *world) {
		ch := w.chat(t, 602, "Lou")
		empty := ch.SendWait("/cart", "Your cart is empty")
		if hasButton(empty, "Checkout") {
			t.Fatalf("an empty cart offers Checkout: %v", emutest.Keyboard(empty))
		}
		ch.Press(empty, "Catalog")
		cat := ch.WaitEdited(empty.MessageID, "page 1 of 3")
		if hasButton(cat, "Prev") {
			t.Fatalf("the first page offers « Prev: %v", emutest.Keyboard(cat))
		}
		ch.Press(cat, "Next »")
		cat = ch.WaitEdited(cat.MessageID, "page 2 of 3")
		ch.Press(cat, "Next »")
		cat = ch.WaitEdited(cat.MessageID, "page 3 of 3")
		if hasButton(cat, "Next") || !strings.Contains(cat.Text, "Gift card") || strings.Contains(cat.Text, "Tamper") {
			t.Fatalf("last page:\n%s\n%v", cat.Text, emutest.Keyboard(cat))
		}
		ch.Press(cat, "Gift card")
		ch.Press(cat, "🛒 Cart")
		cart := ch.WaitEdited(cat.MessageID, "Gift card × 1 — $25.00")
		stale := ch.SendWait("/cart", "Gift card × 1")

		// Removing the last item empties the cart.
		ch.Press(cart, "➖ Gift card")
		ch.WaitEdited(cart.MessageID, "Your cart is empty")
		if got := ch.Press(stale, "Checkout"); got != "Your cart is empty." {
			t.Fatalf("Checkout of an emptied cart answered %q", got)
		}

		// Clear empties it too.
		cat = ch.SendWait("/catalog", "page 1 of 3")
		ch.Press(cat, "Filter beans")
		ch.Press(cat, "Paper filters")
		cart = ch.SendWait("/cart", "Paper filters × 1")
		ch.Press(cart, "Clear")
		ch.WaitEdited(cart.MessageID, "Your cart is empty")
		if c, err := w.storage.DB.Carts().Get(context.Background(), ch.User.ID); err != nil || !c.Empty() || c.Count() != 0 {
			t.Fatalf("cart after Clear = %+v, %v", c, err)
		}
		noErrorReply(t, ch)
	})
}

// TestCheckoutOfEmptiedCart: the customer clears the cart in the middle
// of the checkout; confirming then orders nothing and says why, and the
// buttons of the finished checkout do nothing.
func TestCheckoutOfEmptiedCart(t *testing.T) {
	onEngines(t, func(t *testing.T, w *world) {
		ch := w.chat(t, 603, "Max")
		cart := fillCart(t, ch)
		ch.Press(cart, "Checkout")
		ch.WaitBot(cart.MessageID, "step 1 of 4")
		ch.Press(cart, "Clear")
		ch.WaitEdited(cart.MessageID, "Your cart is empty")
		sum := answerCheckout(ch, "Max Planck", "+49 30 1234567", "Unter den Linden 1, Berlin")
		ch.Press(sum, "Confirm")
		ch.WaitBot(sum.MessageID, "Your cart is empty now, so there is nothing to order.")
		ch.SendWait("/orders", "You have no orders yet")
		noErrorReply(t, ch)
	})
}

// TestStaleButtonsAfterOrder: after an order, the old cart message's
// Checkout finds the cart empty, and pressing Confirm again (when the
// keyboard is still there) places no second order.
func TestStaleButtonsAfterOrder(t *testing.T) {
	onEngines(t, func(t *testing.T, w *world) {
		ch := w.chat(t, 604, "Ida")
		cart := fillCart(t, ch)
		sum := fillForm(t, ch, cart)
		confirm := ch.Button(sum, "Confirm")
		confirmAndCheck(t, ch, sum)
		if got := ch.Press(cart, "Checkout"); got != "Your cart is empty." {
			t.Fatalf("Checkout after the order answered %q", got)
		}
		if p, err := ch.PressData(sum.MessageID, confirm); err == nil {
			ch.WaitAnswer(p)
		}
		ch.SendWait("/cart", "Your cart is empty") // settle, with the cart empty
		orders, err := w.storage.DB.Orders().History(context.Background(), ch.User.ID, 10)
		if err != nil || len(orders) != 1 {
			t.Fatalf("orders = %+v, %v", orders, err)
		}
		noErrorReply(t, ch)
	})
}

// TestMenuHelpFallback: /help, the main menu's buttons, and a message the
// shop does not understand.
func TestMenuHelpFallback(t *testing.T) {
	w := newWorld(t, "")
	w.start(t)
	ch := w.chat(t, 605, "Eve")
	if help := ch.SendWait("/help", "Herald's example shop"); !strings.Contains(help.Text, "/broadcast") {
		t.Fatalf("help: %q", help.Text)
	}
	menu := ch.SendWait("hello?", "I did not get that")
	ch.Press(menu, "Orders")
	ch.WaitBot(menu.MessageID, "You have no orders yet")
	ch.Press(menu, "Cart")
	ch.WaitBot(menu.MessageID, "Your cart is empty")
	ch.Press(menu, "Catalog")
	ch.WaitBot(menu.MessageID, "page 1 of 3")
	if got := menu.Text; !strings.Contains(got, "I did not get that") {
		t.Fatalf("the menu message was changed: %q", got)
	}
	noErrorReply(t, ch)
}

// TestOrderHistoryLimit: /orders lists the latest HistorySize orders,
// newest first.
func TestOrderHistoryLimit(t *testing.T) {
	onEngines(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		ch := w.chat(t, 606, "Ned")
		db := w.storage.DB
		now := time.Unix(1_700_000_000, 0)
		var last int64
		for i := range shopbot.HistorySize + 2 {
			if _, err := db.Carts().Add(ctx, ch.User.ID, int64(i%12+1)); err != nil {
				t.Fatal(err)
			}
			ord, created, err := db.Orders().Place(ctx, "hist-"+strings.Repeat("x", i+1), ch.User.ID,
				service.Checkout{Name: "Ned", Phone: "5550100", Address: "Main St", Slot: shopbot.Slots[0]}, now)
			if err != nil || !created {
				t.Fatalf("order %d: %v, created %v", i, err, created)
			}
			last = ord.ID
		}
		hist := ch.SendWait("/orders", "Your orders")
		var ids []string
		for _, line := range strings.Split(hist.Text, "\n") {
			if strings.HasPrefix(line, "#") {
				ids = append(ids, strings.Fields(line)[0])
			}
		}
		if len(ids) != shopbot.HistorySize || ids[0] != "#"+itoa(last) || ids[len(ids)-1] != "#"+itoa(last-shopbot.HistorySize+1) {
			t.Fatalf("orders listed %v, want %d from #%d down:\n%s", ids, shopbot.HistorySize, last, hist.Text)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestAdminEdges: /broadcast without text, /broadcast by a customer, and
// a broadcast that cannot reach one customer.
func TestAdminEdges(t *testing.T) {
	w := newWorld(t, "")
	w.start(t)
	admin, customer := w.chat(t, 1, "Boss"), w.chat(t, 607, "Cy")
	admin.SendWait("/start", "Welcome")
	customer.SendWait("/start", "Welcome")
	admin.SendWait("/broadcast   ", "Usage: /broadcast <text>")
	customer.SendWait("/broadcast Free coffee", "for the shop's staff")
	// A customer the bot cannot write to (say, one who deleted their
	// account): the broadcast counts the failure and goes on.
	if err := w.storage.DB.Customers().Touch(context.Background(), service.Customer{ID: 999_999, Name: "Gone"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	after := customer.LastID()
	admin.SendWait("/broadcast Beans are back", "Broadcast started")
	customer.WaitBot(after, "📣 Beans are back")
	admin.WaitBot(0, "Broadcast done: 2 sent, 1 failed")
	for _, e := range customer.BotMessages() {
		if strings.Contains(e.Text, "Free coffee") {
			t.Fatalf("a customer's /broadcast was sent: %q", e.Text)
		}
	}
	stats := admin.SendWait("/stats", "Shop statistics")
	if !strings.Contains(stats.Text, "Customers: 3") || !strings.Contains(stats.Text, "Revenue: $0.00") {
		t.Fatalf("stats: %q", stats.Text)
	}
}

// TestCartChangedDuringCheckout: items taken out of the cart after the
// checkout began make Confirm order nothing and show the cart as it is
// now; checking out again orders what the new summary shows.
func TestCartChangedDuringCheckout(t *testing.T) {
	onEngines(t, func(t *testing.T, w *world) {
		ch := w.chat(t, 607, "Zoe")
		cart := fillCart(t, ch)
		sum := fillForm(t, ch, cart) // summary: 2 mugs and beans, $41.90
		ch.Press(cart, "➖ Ceramic mug")
		ch.WaitEdited(cart.MessageID, "Ceramic mug × 1")
		ch.Press(sum, "Confirm")
		ch.WaitBot(sum.MessageID, "Your cart changed during the checkout, so nothing was ordered")
		now := ch.WaitBot(sum.MessageID, "Total: $26.90")
		if orders, err := w.storage.DB.Orders().History(context.Background(), ch.User.ID, 10); err != nil || len(orders) != 0 {
			t.Fatalf("orders after a changed cart = %+v, %v; want none", orders, err)
		}
		ch.Press(now, "Checkout")
		ch.WaitBot(now.MessageID, "step 1 of 4")
		sum2 := answerCheckout(ch, "Zoe Z", "+44 20 7946 0958", "1 Main Street, Springfield")
		ch.Press(sum2, "Confirm")
		conf := ch.WaitBot(sum2.MessageID, "✅ Order #")
		if !strings.Contains(conf.Text, "Total: $26.90") {
			t.Fatalf("confirmation: %q", conf.Text)
		}
		noErrorReply(t, ch)
	})
}

// TestCustomerWithoutStart: someone who orders without ever sending
// /start is a customer all the same (/stats counts them).
func TestCustomerWithoutStart(t *testing.T) {
	w := newWorld(t, "")
	w.start(t)
	ch := w.chat(t, 608, "Nia")
	cat := ch.SendWait("/catalog", "page 1 of 3")
	ch.Press(cat, "Espresso beans")
	cart := ch.SendWait("/cart", "Your cart")
	ch.Press(cart, "Checkout")
	ch.WaitBot(cart.MessageID, "step 1 of 4")
	sum := answerCheckout(ch, "Nia N", "+44 20 7946 0958", "2 Side Street, Springfield")
	ch.Press(sum, "Confirm")
	ch.WaitBot(sum.MessageID, "✅ Order #")
	admin := w.chat(t, 1, "Ada")
	stats := admin.SendWait("/stats", "Shop statistics")
	if !strings.Contains(stats.Text, "Customers: 1\n") || !strings.Contains(stats.Text, "Orders: 1\n") {
		t.Fatalf("stats: %q", stats.Text)
	}
}
