package emulator

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"

	"github.com/heraldbot/herald/tg"
)

// TestWebhookAnswersInlineAndPreCheckout: a bot on a webhook answers an
// inline query and a pre-checkout query in its webhook answers, as bots
// that reply in the HTTP response do.
func TestWebhookAnswersInlineAndPreCheckout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, c, hits := startHooked(t, Options{Limits: offLimits()}, tg.SetWebhookParams{})
		ctx := context.Background()
		q, err := e.SendInlineQuery(ctx, UserInlineQuery{Token: testToken, From: ann, Query: "tea"})
		if err != nil {
			t.Fatal(err)
		}
		h := nextHit(t, hits)
		if h.update.InlineQuery == nil || h.update.InlineQuery.Query != "tea" {
			t.Fatalf("update = %+v", h.update)
		}
		h.reply <- hookReply{status: 200, body: fmt.Sprintf(`{"method":"answerInlineQuery","inline_query_id":%q,"results":[{"type":"article","id":"1","title":"Tea","input_message_content":{"message_text":"Tea, please"}}]}`, q.InlineQueryID)}
		synctest.Wait()
		if ans, ok := e.InlineAnswer(testToken, q.InlineQueryID); !ok || len(ans.Results) != 1 {
			t.Fatalf("answer = %+v, %v", ans, ok)
		}

		say(t, e, "/buy")
		nextHit(t, hits).reply <- hookReply{status: 200}
		inv, err := c.SendInvoice(t.Context(), starsInvoice())
		if err != nil {
			t.Fatal(err)
		}
		s, err := e.PayInvoice(ctx, InvoicePayment{Token: testToken, From: ann, ChatID: ann.ID, MessageID: inv.MessageID})
		if err != nil {
			t.Fatal(err)
		}
		h = nextHit(t, hits)
		if h.update.PreCheckoutQuery == nil || h.update.PreCheckoutQuery.ID != s.PreCheckoutQueryID {
			t.Fatalf("update = %+v", h.update)
		}
		h.reply <- hookReply{status: 200, body: fmt.Sprintf(`{"method":"answerPreCheckoutQuery","pre_checkout_query_id":%q,"ok":true}`, s.PreCheckoutQueryID)}
		h = nextHit(t, hits)
		if h.update.Message == nil || h.update.Message.SuccessfulPayment == nil {
			t.Fatalf("update after the answer = %+v", h.update)
		}
		h.reply <- hookReply{status: 200}
		if p, _ := e.Payment(testToken, s.PreCheckoutQueryID); p.Status != PaymentPaid {
			t.Fatalf("payment = %+v", p)
		}
	})
}
