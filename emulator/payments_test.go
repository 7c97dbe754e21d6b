package emulator

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/tg"
)

// starsInvoice is a valid invoice of 25 Stars to ann.
func starsInvoice() tg.SendInvoiceParams {
	return tg.SendInvoiceParams{
		ChatID: tg.ID(ann.ID), Title: "Pizza", Description: "One margherita", Payload: "order-7",
		Currency: "XTR", Prices: []tg.LabeledPrice{{Label: "Margherita", Amount: 25}},
	}
}

// TestStarsPaymentOverHTTP pays an invoice through the control API and
// the Bot API: pre-checkout, successful payment, refunds and the
// transaction list.
func TestStarsPaymentOverHTTP(t *testing.T) {
	e, url, c, ctx := startBot(t)
	ctl := url + "/control"
	say(t, e, "/buy")
	inv, err := c.SendInvoice(ctx, starsInvoice())
	if err != nil {
		t.Fatal(err)
	}
	if inv.Invoice == nil || inv.Invoice.TotalAmount != 25 || inv.Invoice.Currency != "XTR" || inv.Invoice.Title != "Pizza" {
		t.Fatalf("invoice message = %+v", inv)
	}
	ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{})
	if err != nil || len(ups) != 1 {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	next := ups[0].UpdateID + 1

	var started PaymentStarted
	do(t, "POST", ctl+"/payments", fmt.Sprintf(`{"token":%q,"from":{"id":1001,"first_name":"Ann"},"chat_id":1001,"message_id":%d}`, testToken, inv.MessageID), 200, &started)
	do(t, "POST", ctl+"/payments", fmt.Sprintf(`{"token":%q,"from":{"id":1001},"chat_id":1001,"message_id":%d}`, testToken, inv.MessageID), 400, nil) // in progress
	do(t, "POST", ctl+"/payments", fmt.Sprintf(`{"token":%q,"from":{"id":1001},"chat_id":1001,"message_id":1}`, testToken), 400, nil)                 // not an invoice
	var pay Payment
	do(t, "GET", ctl+"/payments/"+started.PreCheckoutQueryID+"?token="+testToken, "", 200, &pay)
	if pay.Status != PaymentPending || pay.TotalAmount != 25 || pay.UserID != ann.ID {
		t.Fatalf("payment = %+v", pay)
	}
	ups, err = c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: next})
	if err != nil || len(ups) != 1 || ups[0].PreCheckoutQuery == nil {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	pq := ups[0].PreCheckoutQuery
	if pq.ID != started.PreCheckoutQueryID || pq.Currency != "XTR" || pq.TotalAmount != 25 || pq.InvoicePayload != "order-7" || pq.From.ID != ann.ID {
		t.Fatalf("pre_checkout_query = %+v", pq)
	}
	next = ups[0].UpdateID + 1
	if ok, err := c.AnswerPreCheckoutQuery(ctx, tg.AnswerPreCheckoutQueryParams{PreCheckoutQueryID: pq.ID, Ok: true}); err != nil || !ok {
		t.Fatalf("answerPreCheckoutQuery = %v, %v", ok, err)
	}
	_, err = c.AnswerPreCheckoutQuery(ctx, tg.AnswerPreCheckoutQueryParams{PreCheckoutQueryID: pq.ID, Ok: true})
	wantAPIError(t, err, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")

	ups, err = c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: next})
	if err != nil || len(ups) != 1 || ups[0].Message == nil || ups[0].Message.SuccessfulPayment == nil {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	sp := ups[0].Message.SuccessfulPayment
	if sp.TelegramPaymentChargeID == "" || sp.TotalAmount != 25 || sp.InvoicePayload != "order-7" || ups[0].Message.From.ID != ann.ID {
		t.Fatalf("successful_payment = %+v", sp)
	}
	next = ups[0].UpdateID + 1
	do(t, "GET", ctl+"/payments/"+started.PreCheckoutQueryID+"?token="+testToken, "", 200, &pay)
	if pay.Status != PaymentPaid || pay.TelegramPaymentChargeID != sp.TelegramPaymentChargeID {
		t.Fatalf("payment = %+v", pay)
	}
	do(t, "POST", ctl+"/payments", fmt.Sprintf(`{"token":%q,"from":{"id":1001},"chat_id":1001,"message_id":%d}`, testToken, inv.MessageID), 400, nil) // paid already
	if bal, err := c.GetMyStarBalance(ctx); err != nil || bal.Amount != 25 {
		t.Fatalf("balance = %+v, %v", bal, err)
	}

	// Refunds: the charge's user only, and once.
	_, err = c.RefundStarPayment(ctx, tg.RefundStarPaymentParams{UserID: bob.ID, TelegramPaymentChargeID: sp.TelegramPaymentChargeID})
	wantAPIError(t, err, 400, "Bad Request: CHARGE_NOT_FOUND")
	if ok, err := c.RefundStarPayment(ctx, tg.RefundStarPaymentParams{UserID: ann.ID, TelegramPaymentChargeID: sp.TelegramPaymentChargeID}); err != nil || !ok {
		t.Fatalf("refund = %v, %v", ok, err)
	}
	_, err = c.RefundStarPayment(ctx, tg.RefundStarPaymentParams{UserID: ann.ID, TelegramPaymentChargeID: sp.TelegramPaymentChargeID})
	wantAPIError(t, err, 400, "Bad Request: CHARGE_ALREADY_REFUNDED")
	ups, err = c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: next})
	if err != nil || len(ups) != 1 || ups[0].Message == nil || ups[0].Message.RefundedPayment == nil || ups[0].Message.RefundedPayment.TelegramPaymentChargeID != sp.TelegramPaymentChargeID {
		t.Fatalf("updates = %+v, %v", ups, err)
	}

	txs, err := c.GetStarTransactions(ctx, tg.GetStarTransactionsParams{})
	if err != nil || len(txs.Transactions) != 2 {
		t.Fatalf("transactions = %+v, %v", txs, err)
	}
	in, out := txs.Transactions[0], txs.Transactions[1]
	src, ok := in.Source.(*tg.TransactionPartnerUser)
	if !ok || src.User.ID != ann.ID || src.InvoicePayload != "order-7" || in.Amount != 25 || in.Receiver != nil {
		t.Fatalf("payment transaction = %+v (source %+v)", in, in.Source)
	}
	if rcv, ok := out.Receiver.(*tg.TransactionPartnerUser); !ok || rcv.User.ID != ann.ID || out.Source != nil {
		t.Fatalf("refund transaction = %+v", out)
	}
	if txs, err := c.GetStarTransactions(ctx, tg.GetStarTransactionsParams{Offset: 1, Limit: 1}); err != nil || len(txs.Transactions) != 1 || txs.Transactions[0].Receiver == nil {
		t.Fatalf("offset 1 = %+v, %v", txs, err)
	}
	if bal, err := c.GetMyStarBalance(ctx); err != nil || bal.Amount != 0 {
		t.Fatalf("balance = %+v, %v", bal, err)
	}
	tr, _ := e.Transcript(testToken, ann.ID)
	if n := len(tr); n != 4 || tr[1].Invoice == nil || tr[2].SuccessfulPayment == nil || tr[2].Sender != "user" || tr[3].RefundedPayment == nil {
		t.Fatalf("transcript = %+v", tr)
	}
}

// TestPreCheckoutDeclined: a bot that says no fails the payment with its
// reason, and no payment message follows.
func TestPreCheckoutDeclined(t *testing.T) {
	e, _, c, ctx := startBot(t)
	say(t, e, "/buy")
	inv, err := c.SendInvoice(ctx, starsInvoice())
	if err != nil {
		t.Fatal(err)
	}
	events, cancel, err := e.Subscribe(testToken, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	started, err := e.PayInvoice(ctx, InvoicePayment{Token: testToken, From: ann, ChatID: ann.ID, MessageID: inv.MessageID})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.AnswerPreCheckoutQuery(ctx, tg.AnswerPreCheckoutQueryParams{PreCheckoutQueryID: started.PreCheckoutQueryID})
	wantAPIError(t, err, 400, "Bad Request: error_message is required when ok is false")
	if _, err := c.AnswerPreCheckoutQuery(ctx, tg.AnswerPreCheckoutQueryParams{PreCheckoutQueryID: started.PreCheckoutQueryID, ErrorMessage: "Sold out"}); err != nil {
		t.Fatal(err)
	}
	pay, _ := e.Payment(testToken, started.PreCheckoutQueryID)
	if pay.Status != PaymentDeclined || pay.ErrorMessage != "Sold out" || pay.TelegramPaymentChargeID != "" {
		t.Fatalf("payment = %+v", pay)
	}
	var statuses []string
	for len(statuses) < 2 {
		ev := <-events
		if ev.Type == "payment" {
			statuses = append(statuses, ev.Payment.Status+":"+ev.Payment.ErrorMessage)
		}
	}
	if strings.Join(statuses, ",") != "pending:,declined:Sold out" {
		t.Fatalf("payment events = %v", statuses)
	}
	if tr, _ := e.Transcript(testToken, ann.ID); len(tr) != 2 {
		t.Fatalf("transcript = %+v, want /buy and the invoice only", tr)
	}
	// The user may try again after a refusal.
	if _, err := e.PayInvoice(ctx, InvoicePayment{Token: testToken, From: ann, ChatID: ann.ID, MessageID: inv.MessageID}); err != nil {
		t.Fatal(err)
	}
}

// TestPreCheckoutTimeout checks, on the bubble's clock, that a
// pre-checkout query unanswered for PreCheckoutTimeout fails the payment.
func TestPreCheckoutTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, _, c := startBubble(t, Options{Limits: offLimits()})
		ctx := t.Context()
		say(t, e, "/buy")
		inv, err := c.SendInvoice(ctx, starsInvoice())
		if err != nil {
			t.Fatal(err)
		}
		pay := func() string {
			t.Helper()
			s, err := e.PayInvoice(context.Background(), InvoicePayment{Token: testToken, From: ann, ChatID: ann.ID, MessageID: inv.MessageID})
			if err != nil {
				t.Fatal(err)
			}
			return s.PreCheckoutQueryID
		}
		late := pay()
		time.Sleep(PreCheckoutTimeout)
		settled(t, "the payment expired", func() bool { p, _ := e.Payment(testToken, late); return p.Status == PaymentExpired })
		_, err = c.AnswerPreCheckoutQuery(ctx, tg.AnswerPreCheckoutQueryParams{PreCheckoutQueryID: late, Ok: true})
		wantAPIError(t, err, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")

		onTime := pay()
		time.Sleep(PreCheckoutTimeout - time.Second)
		if _, err := c.AnswerPreCheckoutQuery(ctx, tg.AnswerPreCheckoutQueryParams{PreCheckoutQueryID: onTime, Ok: true}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second) // past the first deadline: the answer stopped it
		if p, _ := e.Payment(testToken, onTime); p.Status != PaymentPaid {
			t.Fatalf("payment = %+v", p)
		}
		tr, _ := e.Transcript(testToken, ann.ID)
		if len(tr) != 3 || tr[2].SuccessfulPayment == nil {
			t.Fatalf("transcript = %+v, want one successful payment", tr)
		}
	})
}

// TestSendInvoiceValidation checks what sendInvoice refuses.
func TestSendInvoiceValidation(t *testing.T) {
	e, _, c, ctx := startBot(t)
	say(t, e, "/buy")
	edit := func(f func(*tg.SendInvoiceParams)) tg.SendInvoiceParams {
		p := starsInvoice()
		f(&p)
		return p
	}
	cases := []struct {
		name string
		p    tg.SendInvoiceParams
		want string
	}{
		{"long title", edit(func(p *tg.SendInvoiceParams) { p.Title = strings.Repeat("t", 33) }), "Bad Request: invoice title must be 1-32 characters"},
		{"long description", edit(func(p *tg.SendInvoiceParams) { p.Description = strings.Repeat("d", 256) }), "Bad Request: invoice description must be 1-255 characters"},
		{"long payload", edit(func(p *tg.SendInvoiceParams) { p.Payload = strings.Repeat("p", 129) }), "Bad Request: INVOICE_PAYLOAD_INVALID"},
		{"euro", edit(func(p *tg.SendInvoiceParams) { p.Currency = "EUR" }), `Bad Request: the Herald emulator models payments in Telegram Stars only: currency must be XTR, not "EUR"`},
		{"provider token", edit(func(p *tg.SendInvoiceParams) { p.ProviderToken = "284685063:TEST:abc" }), "Bad Request: provider_token must be empty for payments in Telegram Stars"},
		{"two prices", edit(func(p *tg.SendInvoiceParams) { p.Prices = append(p.Prices, tg.LabeledPrice{Label: "Tip", Amount: 1}) }), "Bad Request: payments in Telegram Stars must have exactly one price, not 2"},
		{"no price", edit(func(p *tg.SendInvoiceParams) { p.Prices = []tg.LabeledPrice{} }), "Bad Request: payments in Telegram Stars must have exactly one price, not 0"},
		{"zero amount", edit(func(p *tg.SendInvoiceParams) { p.Prices[0].Amount = 0 }), "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID"},
		{"keyboard without pay first", edit(func(p *tg.SendInvoiceParams) {
			p.ReplyMarkup = inlineKeyboard([]tg.InlineKeyboardButton{cbButton("Later", "later")})
		}), "Bad Request: the first button of an invoice's inline keyboard must be a Pay button"},
	}
	for _, tc := range cases {
		_, err := c.SendInvoice(ctx, tc.p)
		if err == nil {
			t.Fatalf("%s: accepted", tc.name)
		}
		wantAPIError(t, err, 400, tc.want)
	}
	p := starsInvoice()
	p.ReplyMarkup = inlineKeyboard([]tg.InlineKeyboardButton{{Text: "Pay ⭐25", Pay: true}}, []tg.InlineKeyboardButton{cbButton("Later", "later")})
	if _, err := c.SendInvoice(ctx, p); err != nil {
		t.Fatal(err)
	}
	if tr, _ := e.Transcript(testToken, ann.ID); len(tr) != 2 {
		t.Fatalf("transcript has %d messages, want /buy and one invoice", len(tr))
	}
}

// TestInlineInvoice pays an invoice sent as an inline result.
func TestInlineInvoice(t *testing.T) {
	e, _, c, ctx := startBot(t)
	q, err := e.SendInlineQuery(ctx, UserInlineQuery{Token: testToken, From: ann, Query: "tip"})
	if err != nil {
		t.Fatal(err)
	}
	mustCall(t, c, "answerInlineQuery", map[string]any{"inline_query_id": q.InlineQueryID, "results": []any{
		map[string]any{"type": "article", "id": "tip", "title": "Tip 5 Stars", "input_message_content": map[string]any{
			"title": "Tip", "description": "Thanks!", "payload": "tip-5", "currency": "XTR", "prices": []any{map[string]any{"label": "Tip", "amount": 5}},
		}},
	}}, nil)
	ch, err := e.ChooseInlineResult(ctx, InlineChoice{Token: testToken, From: ann, InlineQueryID: q.InlineQueryID, ResultID: "tip"})
	if err != nil {
		t.Fatal(err)
	}
	started, err := e.PayInvoice(ctx, InvoicePayment{Token: testToken, From: bob, ChatID: ch.ChatID, MessageID: ch.MessageID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AnswerPreCheckoutQuery(ctx, tg.AnswerPreCheckoutQueryParams{PreCheckoutQueryID: started.PreCheckoutQueryID, Ok: true}); err != nil {
		t.Fatal(err)
	}
	tr, _ := e.Transcript(testToken, ann.ID)
	last := tr[len(tr)-1]
	if tr[0].Invoice == nil || tr[0].Invoice.TotalAmount != 5 || tr[0].ViaBot == nil || last.SuccessfulPayment == nil || last.From.ID != bob.ID {
		t.Fatalf("transcript = %+v", tr)
	}
}

// TestInvoiceLink pays an invoice link over HTTP: the payment message goes
// to the private chat of the payer with the bot.
func TestInvoiceLink(t *testing.T) {
	e, url, c, ctx := startBot(t)
	p := starsInvoice()
	link, err := c.CreateInvoiceLink(ctx, tg.CreateInvoiceLinkParams{Title: p.Title, Description: p.Description, Payload: "link-1", Currency: "XTR", Prices: p.Prices})
	if err != nil || !strings.HasPrefix(link, "https://t.me/$") {
		t.Fatalf("createInvoiceLink = %q, %v", link, err)
	}
	_, err = c.CreateInvoiceLink(ctx, tg.CreateInvoiceLinkParams{Title: p.Title, Description: p.Description, Payload: "x", Currency: "XTR", Prices: p.Prices, ProviderToken: "t"})
	wantAPIError(t, err, 400, "Bad Request: provider_token must be empty for payments in Telegram Stars")
	_, err = c.CreateInvoiceLink(ctx, tg.CreateInvoiceLinkParams{Title: p.Title, Description: p.Description, Payload: "x", Currency: "XTR", Prices: p.Prices, SubscriptionPeriod: 2592000})
	wantAPIError(t, err, 400, "Bad Request: subscriptions are not modelled by the Herald emulator")

	do(t, "POST", url+"/control/payments", fmt.Sprintf(`{"token":%q,"from":{"id":1002,"first_name":"Bob"},"link":"https://t.me/$nope"}`, testToken), 400, nil)
	var started PaymentStarted
	do(t, "POST", url+"/control/payments", fmt.Sprintf(`{"token":%q,"from":{"id":1002,"first_name":"Bob"},"link":%q}`, testToken, link), 200, &started)
	if _, err := c.AnswerPreCheckoutQuery(ctx, tg.AnswerPreCheckoutQueryParams{PreCheckoutQueryID: started.PreCheckoutQueryID, Ok: true}); err != nil {
		t.Fatal(err)
	}
	ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{})
	if err != nil || len(ups) != 2 || ups[0].PreCheckoutQuery == nil || ups[0].PreCheckoutQuery.InvoicePayload != "link-1" ||
		ups[1].Message == nil || ups[1].Message.Chat.ID != bob.ID || ups[1].Message.SuccessfulPayment == nil {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	do(t, "POST", url+"/control/payments", fmt.Sprintf(`{"token":%q,"from":{"id":1002},"link":%q}`, testToken, link), 400, nil) // paid already
	if pay, _ := e.Payment(testToken, started.PreCheckoutQueryID); pay.Status != PaymentPaid || pay.ChatID != bob.ID || pay.MessageID != 0 {
		t.Fatalf("payment = %+v", pay)
	}
}
