package herald_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/tg"
)

// TestReplyInResponseAndErrorReply: ReplyInResponse works the same in
// polling and inline-webhook modes (in the webhook's answer there), and a
// failing handler gets the friendly error reply.
func TestReplyInResponseAndErrorReply(t *testing.T) {
	for _, mode := range []string{"polling", "webhook"} {
		t.Run(mode, func(t *testing.T) {
			w := newWorld(t)
			token := "760" + string(rune('0'+len(mode)%10)) + ":resp"
			var opts []herald.Option
			if mode == "webhook" {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				opts = append(opts, herald.WithWebhook(herald.WebhookConfig{URL: "http://" + ln.Addr().String() + "/", Listener: ln}))
			}
			var sent testkit.Caller // the calls the bot's client made itself
			opts = append(opts, herald.WithErrorReply("Oops, try again later."), herald.WithClientOptions(tg.WithMiddleware(sent.Middleware)))
			b := w.newBot(t, token, opts...)
			b.Router().Command("fast", func(c *herald.Context) error {
				c.ReplyInResponse("sendMessage", tg.SendMessageParams{ChatID: tg.ID(c.Chat().ID), Text: "answered in the response"})
				return nil
			})
			b.Router().Command("fail", func(c *herald.Context) error { return context.DeadlineExceeded })
			emutest.Run(t, b)
			if mode == "webhook" {
				emutest.Until(t, 10*time.Second, "the webhook", func() bool {
					st, err := w.Emu.Stats(token)
					return err == nil && st.Requests["setWebhook"] > 0
				})
			}
			for _, text := range []string{"/fast", "/fail"} {
				if _, err := w.Emu.SendMessage(context.Background(), emulator.UserMessage{Token: token, From: user(3), Text: text}); err != nil {
					t.Fatal(err)
				}
			}
			emutest.Until(t, 20*time.Second, "both answers", func() bool { return len(w.botTexts(t, token, 3)) == 2 })
			got := w.botTexts(t, token, 3)
			if got[0] != "answered in the response" || got[1] != "Oops, try again later." {
				t.Errorf("answers %q", got)
			}
			want := int64(2)
			if mode == "webhook" {
				want = 1 // the other answer travelled in the webhook's response
			}
			if n := int64(sent.Count("sendMessage")); n != want {
				t.Errorf("the client sent %d messages itself, want %d", n, want)
			}
		})
	}
}
