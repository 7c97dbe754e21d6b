package emulator_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// TestHeraldBotInlineMode runs a Herald bot against the emulator over
// HTTP: it answers an inline query with a result that has a button, sees
// the result chosen, and edits the message by inline_message_id when
// someone presses the button.
func TestHeraldBotInlineMode(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	const token = "7801:inline-e2e"
	bot, err := herald.New(token, srv.Polling(herald.WithLogger(emutest.Quiet()))...)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var chosen []tg.ChosenInlineResult
	r := bot.Router()
	r.InlineQuery(func(c *herald.Context) error {
		q := c.Update.InlineQuery
		kb := &tg.InlineKeyboardMarkup{InlineKeyboard: [][]tg.InlineKeyboardButton{{{Text: "Vote", CallbackData: "vote"}}}}
		_, err := c.Client().AnswerInlineQuery(c, tg.AnswerInlineQueryParams{
			InlineQueryID: q.ID, IsPersonal: true,
			Results: []tg.InlineQueryResult{&tg.InlineQueryResultArticle{
				ID: "poll-1", Title: "Poll: " + q.Query, ReplyMarkup: kb,
				InputMessageContent: &tg.InputTextMessageContent{MessageText: "Poll: " + q.Query + " (0 votes)"},
			}},
		})
		return err
	})
	r.ChosenInlineResult(func(c *herald.Context) error {
		mu.Lock()
		chosen = append(chosen, *c.Update.ChosenInlineResult)
		mu.Unlock()
		return nil
	})
	r.CallbackQuery(func(c *herald.Context) error {
		cq := c.CallbackQuery()
		if cq.InlineMessageID == "" {
			return c.Answer("not an inline message")
		}
		if _, err := c.Client().EditMessageText(c, tg.EditMessageTextParams{InlineMessageID: cq.InlineMessageID, Text: "Poll closed: 1 vote by " + cq.From.FirstName}); err != nil {
			return err
		}
		return c.Answer("Counted")
	})
	emutest.Run(t, bot)

	ctx := context.Background()
	ann := tg.User{ID: 801, FirstName: "Ann"}
	q, err := srv.Emu.SendInlineQuery(ctx, emulator.UserInlineQuery{Token: token, From: ann, Query: "lunch?"})
	if err != nil {
		t.Fatal(err)
	}
	var ans emulator.InlineAnswer
	emutest.Until(t, emutest.Wait, "the bot's inline answer", func() bool {
		var ok bool
		ans, ok = srv.Emu.InlineAnswer(token, q.InlineQueryID)
		return ok
	})
	if len(ans.Results) != 1 || !strings.Contains(string(ans.Results[0]), `"title":"Poll: lunch?"`) || !ans.IsPersonal {
		t.Fatalf("answer = %+v", ans)
	}
	ch, err := srv.Emu.ChooseInlineResult(ctx, emulator.InlineChoice{Token: token, From: ann, InlineQueryID: q.InlineQueryID, ResultID: "poll-1"})
	if err != nil {
		t.Fatal(err)
	}
	emutest.Until(t, emutest.Wait, "the chosen_inline_result", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(chosen) == 1
	})
	if c := chosen[0]; c.ResultID != "poll-1" || c.Query != "lunch?" || c.InlineMessageID != ch.InlineMessageID {
		t.Fatalf("chosen = %+v", c)
	}

	bob := tg.User{ID: 802, FirstName: "Bob"}
	p, err := srv.Emu.PressButton(ctx, emulator.ButtonPress{Token: token, From: bob, InlineMessageID: ch.InlineMessageID, Data: "vote"})
	if err != nil {
		t.Fatal(err)
	}
	chat := srv.Chat(t, token, ann)
	if got := chat.WaitAnswer(p); got != "Counted" {
		t.Fatalf("callback answer = %q", got)
	}
	e := chat.WaitEdited(ch.MessageID, "Poll closed: 1 vote by Bob")
	if e.ViaBot == nil || e.ViaBot.ID != 7801 || e.Sender != "user" {
		t.Fatalf("edited message = %+v", e)
	}
}

// TestHeraldBotStarsPayment runs a Herald bot selling for Stars: /buy
// sends an invoice, the pre-checkout handler accepts it when in stock,
// and the successful payment is thanked and refunded on /refund.
func TestHeraldBotStarsPayment(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	const token = "7802:stars-e2e"
	bot, err := herald.New(token, srv.Polling(herald.WithLogger(emutest.Quiet()))...)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	stock := 1
	charges := map[int64]string{}
	r := bot.Router()
	r.Command("buy", func(c *herald.Context) error {
		_, err := c.Client().SendInvoice(c, tg.SendInvoiceParams{
			ChatID: tg.ID(c.Chat().ID), Title: "Sticker pack", Description: "Ten hand-drawn stickers",
			Payload: "pack-1", Currency: "XTR", Prices: []tg.LabeledPrice{{Label: "Pack", Amount: 50}},
		})
		return err
	})
	r.Command("refund", func(c *herald.Context) error {
		mu.Lock()
		id := charges[c.Sender().ID]
		mu.Unlock()
		if _, err := c.Client().RefundStarPayment(c, tg.RefundStarPaymentParams{UserID: c.Sender().ID, TelegramPaymentChargeID: id}); err != nil {
			_, rerr := c.Reply("refund failed: " + err.Error())
			return rerr
		}
		_, err := c.Reply("Refunded")
		return err
	})
	r.PreCheckoutQuery(func(c *herald.Context) error {
		q := c.Update.PreCheckoutQuery
		mu.Lock()
		ok := stock > 0 && q.InvoicePayload == "pack-1"
		if ok {
			stock--
		}
		mu.Unlock()
		p := tg.AnswerPreCheckoutQueryParams{PreCheckoutQueryID: q.ID, Ok: ok}
		if !ok {
			p.ErrorMessage = "Sold out, sorry"
		}
		_, err := c.Client().AnswerPreCheckoutQuery(c, p)
		return err
	})
	r.Message(func(c *herald.Context) error {
		sp := c.Message().SuccessfulPayment
		if sp == nil {
			return nil
		}
		mu.Lock()
		charges[c.Sender().ID] = sp.TelegramPaymentChargeID
		mu.Unlock()
		_, err := c.Reply("Thanks for " + strconv.FormatInt(sp.TotalAmount, 10) + " Stars")
		return err
	})
	emutest.Run(t, bot)

	ctx := context.Background()
	ann := srv.Chat(t, token, tg.User{ID: 811, FirstName: "Ann"})
	invoice := func(c *emutest.Chat) emulator.Entry {
		t.Helper()
		buy := c.Send("/buy")
		return c.WaitFor("the invoice", func(e emulator.Entry) bool {
			return e.Sender == "bot" && e.Invoice != nil && e.MessageID > buy.MessageID
		})
	}
	pay := func(c *emutest.Chat, inv emulator.Entry) emulator.Payment {
		t.Helper()
		s, err := srv.Emu.PayInvoice(ctx, emulator.InvoicePayment{Token: token, From: c.User, ChatID: c.User.ID, MessageID: inv.MessageID})
		if err != nil {
			t.Fatal(err)
		}
		var p emulator.Payment
		emutest.Until(t, emutest.Wait, "the bot's pre-checkout answer", func() bool {
			p, _ = srv.Emu.Payment(token, s.PreCheckoutQueryID)
			return p.Status != emulator.PaymentPending
		})
		return p
	}
	inv := invoice(ann)
	if inv.Invoice.TotalAmount != 50 || inv.Invoice.Currency != "XTR" {
		t.Fatalf("invoice = %+v", inv.Invoice)
	}
	if p := pay(ann, inv); p.Status != emulator.PaymentPaid || p.TelegramPaymentChargeID == "" {
		t.Fatalf("payment = %+v", p)
	}
	ann.WaitBot(inv.MessageID, "Thanks for 50 Stars")
	ann.SendWait("/refund", "Refunded")
	ann.SendWait("/refund", "refund failed: ")
	if last := ann.BotMessages(); !strings.Contains(last[len(last)-1].Text, "CHARGE_ALREADY_REFUNDED") {
		t.Fatalf("second refund answered %q", last[len(last)-1].Text)
	}

	// Out of stock: Bob's payment is declined with the bot's reason, and
	// no payment message follows.
	bob := srv.Chat(t, token, tg.User{ID: 812, FirstName: "Bob"})
	if p := pay(bob, invoice(bob)); p.Status != emulator.PaymentDeclined || p.ErrorMessage != "Sold out, sorry" {
		t.Fatalf("payment = %+v", p)
	}
	for _, e := range bob.Transcript() {
		if e.SuccessfulPayment != nil || strings.HasPrefix(e.Text, "Thanks") {
			t.Fatalf("a declined payment left %+v", e)
		}
	}
}
