package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldbot/herald/emulator/emutest"
)

// TestPurchaseInBrowser runs the demo and buys in the web chat page, in
// headless chromium, as a newcomer would: catalog, next page, add, cart,
// checkout with a wrong phone number first, confirm, receipt, history.
func TestPurchaseInBrowser(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	bctx := emutest.Browser(t, ctx)

	base := startDemo(t, ctx, t.Output())

	// waitJS polls a JavaScript condition.
	waitJS := func(what, expr string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			ok, err := chromedp.Run(bctx, chromedp.Evaluate[bool](expr))
			if err == nil && ok {
				return
			}
			if time.Now().After(deadline) {
				page, _ := chromedp.Run(bctx, chromedp.Text(chromedp.ID("messages")))
				t.Fatalf("timed out waiting for %s (err %v); the chat shows:\n%s", what, err, page)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	botSays := func(text string) {
		t.Helper()
		waitJS("the bot to say "+strconv.Quote(text), `[...document.querySelectorAll('#messages li.msg.bot')].some(li => li.textContent.includes(`+strconv.Quote(text)+`))`)
	}
	write := func(text string) {
		t.Helper()
		if err := chromedp.Do(bctx, chromedp.SendKeys(chromedp.ID("text"), text), chromedp.Click(chromedp.ID("send"))); err != nil {
			t.Fatalf("writing %q: %v", text, err)
		}
	}
	// press clicks the newest bot button whose label contains label.
	press := func(label string) {
		t.Helper()
		waitJS("a button "+strconv.Quote(label), `(() => {
			const bs = [...document.querySelectorAll('#messages li.msg.bot button.inline-btn')]
				.filter(b => b.textContent.includes(`+strconv.Quote(label)+`) && !b.disabled);
			if (!bs.length) return false;
			bs[bs.length - 1].click();
			return true;
		})()`)
	}

	if err := chromedp.Do(bctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`#conn[data-state="live"]`))); err != nil {
		t.Fatalf("opening the page: %v", err)
	}
	botSays("Welcome to the Herald coffee shop, Ada!") // the demo user was picked
	// The bot is shown by its name, not as "Bot 100001".
	title, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("chat-title")))
	if err != nil || title != demoBotName {
		t.Errorf("the chat's title = %q (%v), want %q", title, err, demoBotName)
	}
	option, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector('#bot-select option:checked').textContent`))
	if err != nil || option != demoBotName+" (@herald_shop_bot)" {
		t.Errorf("the bot list shows %q (%v), want %q", option, err, demoBotName+" (@herald_shop_bot)")
	}
	write("/catalog")
	botSays("page 1 of 3")
	press("Next »")
	botSays("page 2 of 3")
	press("Ceramic mug")
	waitJS("the toast", `document.getElementById('toast').textContent.includes('Added Ceramic mug')`)
	press("🛒 Cart")
	botSays("Total: $15.00")
	press("Checkout")
	botSays("step 1 of 4")
	write("Ada Lovelace")
	botSays("Step 2 of 4")
	write("not a phone")
	botSays("does not look like a phone number")
	write("+44 20 7946 0958")
	botSays("Step 3 of 4")
	write("12 St James's Square, London")
	botSays("Step 4 of 4")
	press("Today 18–20")
	botSays("Please check your order")
	press("Confirm")
	botSays("Order #1 confirmed")
	waitJS("the receipt photo", `!!document.querySelector('#messages li.msg.bot img')`)
	write("/orders")
	botSays("Your orders")
	text, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("messages")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "#1 ·") {
		t.Errorf("the history does not show order #1:\n%s", text)
	}
}
