package emulator_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// runShopBot is a small bot on Herald's own client that sells in inline
// mode: /start offers a button that starts an inline query, an inline
// query is answered with a text, an invoice of 25 Stars and a button to
// the menu (/start menu), a pre-checkout query is accepted, a payment is
// thanked.
func runShopBot(ctx context.Context, c *tg.Client) error {
	return pollUpdates(ctx, c, func(u tg.Update) error {
		var err error
		switch {
		case u.Message != nil && u.Message.Text == "/start":
			kb := &tg.InlineKeyboardMarkup{InlineKeyboard: [][]tg.InlineKeyboardButton{{{Text: "Browse", SwitchInlineQueryCurrentChat: "pizza"}}}}
			_, err = c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(u.Message.Chat.ID), Text: "Welcome to the shop", ReplyMarkup: kb})
		case u.Message != nil && u.Message.Text == "/start menu":
			_, err = c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(u.Message.Chat.ID), Text: "Menu: pizza, 25 Stars"})
		case u.InlineQuery != nil:
			q := u.InlineQuery
			_, err = c.AnswerInlineQuery(ctx, tg.AnswerInlineQueryParams{InlineQueryID: q.ID, Button: &tg.InlineQueryResultsButton{Text: "Open the menu", StartParameter: "menu"}, Results: []tg.InlineQueryResult{
				&tg.InlineQueryResultArticle{ID: "text", Title: "Say " + q.Query, InputMessageContent: &tg.InputTextMessageContent{MessageText: "I like " + q.Query}},
				&tg.InlineQueryResultArticle{ID: "invoice", Title: "Buy " + q.Query, InputMessageContent: &tg.InputInvoiceMessageContent{
					Title: "One " + q.Query, Description: "Hot and fresh", Payload: "order-1", Currency: "XTR",
					Prices: []tg.LabeledPrice{{Label: q.Query, Amount: 25}},
				}},
			}})
		case u.PreCheckoutQuery != nil:
			_, err = c.AnswerPreCheckoutQuery(ctx, tg.AnswerPreCheckoutQueryParams{PreCheckoutQueryID: u.PreCheckoutQuery.ID, Ok: true})
		case u.Message != nil && u.Message.SuccessfulPayment != nil:
			_, err = c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(u.Message.Chat.ID), Text: "Thanks, " + u.Message.From.FirstName + "!"})
		}
		return err
	})
}

// shopPage starts the emulator, runShopBot and a browser on the page with
// a new user (id 4444, Tess) in the private chat with the bot; it returns
// the page's driver, the emulator and the bot's username.
func shopPage(t *testing.T) (pageDriver, *emutest.Server, string) {
	t.Helper()
	srv := emutest.Start(t, emutest.NoLimits())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	bctx := emutest.Browser(t, ctx, chromedp.WindowSize(1200, 800))
	client, err := tg.New(shopToken, tg.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	me, err := client.GetMe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	botCtx, stopBot := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := runShopBot(botCtx, client); err != nil {
			t.Errorf("test bot: %v", err)
		}
	})
	t.Cleanup(wg.Wait)
	t.Cleanup(stopBot)
	d := pageDriver{t, bctx}
	d.step("create a user",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("user-form")),
		chromedp.SetValue(chromedp.ID("user-id"), "4444"),
		chromedp.SetValue(chromedp.ID("user-first"), "Tess"),
		chromedp.Click(chromedp.ID("user-use")),
		chromedp.WaitVisible(chromedp.CSS(`#conn[data-state="live"]`)),
	)
	return d, srv, me.Username
}

// shopToken is the token of runShopBot.
const shopToken = "777003:page-shop_secret"

// TestPageInlineInvoicePaid drives the page in headless Chromium: the
// user types "@bot pizza" in the composer, sees the bot's inline results,
// chooses the invoice, pays it with its Pay button and sees the payment
// and the bot's thanks.
func TestPageInlineInvoicePaid(t *testing.T) {
	d, srv, username := shopPage(t)
	step, text := d.step, d.text

	const (
		result  = `#inline-results .inline-result[data-id="invoice"]`
		invoice = `#messages li.msg.me[data-id="1"]`
		paid    = `#messages li.msg.me[data-id="2"] .service`
		thanks  = `#messages li.msg.bot[data-id="3"] .text`
	)
	step("type an inline query and see the results",
		chromedp.SendKeys(chromedp.ID("text"), "@"+username+" pizza"),
		chromedp.WaitVisible(chromedp.CSS(result)),
	)
	if n := d.eval(`getComputedStyle(document.querySelector('#inline-results .inline-result-title')).color === getComputedStyle(document.body).color ? 1 : 0`); n != 1 {
		t.Errorf("the results' titles are not drawn in the page's text colour")
	}
	if got := text(result + ` .inline-result-title`); got != "Buy pizza" {
		t.Errorf("result title = %q", got)
	}
	if got := text(result + ` .inline-result-text`); got != "One pizza · ⭐ 25" {
		t.Errorf("result summary = %q", got)
	}
	step("choose the invoice",
		chromedp.Click(chromedp.CSS(result)),
		chromedp.WaitVisible(chromedp.CSS(invoice+` .invoice`)),
		chromedp.WaitNotVisible(chromedp.ID("inline-results")),
	)
	if got := text(invoice + ` .via`); got != "via @"+username {
		t.Errorf("via line = %q", got)
	}
	if got := text(invoice + ` .invoice-amount`); got != "⭐ 25" {
		t.Errorf("invoice amount = %q", got)
	}
	step("pay it",
		chromedp.Click(chromedp.CSS(invoice+` button.inline-btn.pay`)),
		chromedp.WaitVisible(chromedp.CSS(paid)),
		chromedp.WaitVisible(chromedp.CSS(thanks)),
	)
	// The Pay button stops spinning once the payment ended, even when the
	// bot answered before the page's own request returned.
	soon, cancelSoon := context.WithTimeout(d.bctx, 2*time.Second)
	defer cancelSoon()
	if err := chromedp.Do(soon, chromedp.WaitNotPresent(chromedp.CSS(invoice+` button.inline-btn.pay.pending`))); err != nil {
		t.Errorf("the Pay button still spins 2 s after the payment: %v", err)
	}
	if got := text(paid); got != "You paid ⭐ 25" {
		t.Errorf("payment message = %q", got)
	}
	if got := text(thanks); got != "Thanks, Tess!" {
		t.Errorf("bot's thanks = %q", got)
	}
	tr, err := srv.Emu.Transcript(shopToken, 4444)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr) != 3 || tr[0].Invoice == nil || tr[1].SuccessfulPayment == nil || tr[1].SuccessfulPayment.TotalAmount != 25 {
		t.Errorf("transcript = %+v", tr)
	}
}

// TestPageInlineButtons drives the page in headless Chromium through the
// buttons of inline mode: a switch_inline_query_current_chat button puts
// "@bot pizza" into the composer and lists the results; the answer's
// button with a start parameter sends "/start menu".
func TestPageInlineButtons(t *testing.T) {
	d, _, username := shopPage(t)
	const (
		browse = `#messages li.msg.bot[data-id="2"] button.inline-btn`
		menu   = `#inline-results button.inline-btn`
	)
	d.step("send /start and press Browse",
		chromedp.SendKeys(chromedp.ID("text"), "/start"),
		chromedp.Click(chromedp.ID("send")),
		chromedp.WaitVisible(chromedp.CSS(browse)),
		chromedp.Click(chromedp.CSS(browse)),
		chromedp.WaitVisible(chromedp.CSS(`#inline-results .inline-result[data-id="invoice"]`)),
	)
	if got := d.eval(`document.getElementById('text').value === '@` + username + ` pizza' ? 1 : 0`); got != 1 {
		t.Errorf("the composer does not hold the inline query")
	}
	if got := d.text(menu); got != "Open the menu" {
		t.Errorf("the answer's button reads %q", got)
	}
	d.step("open the menu",
		chromedp.Click(chromedp.CSS(menu)),
		chromedp.WaitVisible(chromedp.CSS(`#messages li.msg.bot[data-id="4"]`)),
		chromedp.WaitNotVisible(chromedp.ID("inline-results")),
	)
	if got := d.text(`#messages li.msg.me[data-id="3"] .text`); got != "/start menu" {
		t.Errorf("the button sent %q", got)
	}
	if got := d.text(`#messages li.msg.bot[data-id="4"] .text`); got != "Menu: pizza, 25 Stars" {
		t.Errorf("the bot answered %q", got)
	}
}
