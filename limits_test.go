package herald_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/middleware"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// The README's promise: herald.New keeps Telegram's limits with no
// option. Six quick /start from one user to the README's bot, the
// emulator enforcing Telegram's limits over real HTTP: every reply is
// delivered and none is refused (without the default limiter, replies
// 4 to 6 land inside the chat's one-second spacing and get 429s). With
// the README's anti-flood middleware (bursts of 5, then 1/s), a sixth
// /start may be dropped by design; every reply it lets through is
// delivered the same way.
func TestDefaultLimitsKeepTelegramsLimits(t *testing.T) {
	for _, tt := range []struct {
		name     string
		throttle bool
		replies  int
	}{
		{"handler only", false, 6},
		{"README bot with Throttle", true, 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := emutest.Start(t, emulator.Options{}) // Telegram's limits
			const token = "1010:default-limits"
			bot, err := herald.New(token, srv.Client(), herald.WithLogger(quiet()),
				herald.WithPolling(source.PollerConfig{Timeout: time.Second, Logger: quiet()}))
			if err != nil {
				t.Fatal(err)
			}
			r := bot.Router()
			if tt.throttle {
				r.Use(middleware.Logging(quiet()), middleware.Throttle(middleware.ThrottleConfig{}))
			}
			r.Command("start", func(c *herald.Context) error {
				_, err := c.ReplyWith(tg.SendMessageParams{
					Text: "Hello!",
					ReplyMarkup: &tg.InlineKeyboardMarkup{InlineKeyboard: [][]tg.InlineKeyboardButton{
						{{Text: "Press me", CallbackData: "pressed"}},
					}},
				})
				return err
			})
			emutest.Run(t, bot)

			chat := srv.Chat(t, token, tg.User{ID: 7, FirstName: "Ann"})
			for range 6 {
				chat.Send("/start")
			}
			emutest.Until(t, 20*time.Second, "every reply", func() bool { return len(chat.BotMessages()) >= tt.replies })
			time.Sleep(1500 * time.Millisecond) // a late extra reply or 429 would show by now

			st, err := srv.Emu.Stats(token)
			if err != nil {
				t.Fatal(err)
			}
			got := len(chat.BotMessages())
			t.Logf("6 /start, %d replies delivered, emulator 429s: %d, limiter %+v", got, st.TooManyRequests, bot.Limiter().Stats())
			if st.TooManyRequests != 0 || got < tt.replies || got > 6 || st.Requests["sendMessage"] != int64(got) {
				t.Fatalf("emulator: %d sendMessage, %d 429s, %d replies delivered; want all delivered, 0 429s, at least %d",
					st.Requests["sendMessage"], st.TooManyRequests, got, tt.replies)
			}
		})
	}
}

// The Caller chain is Retry → Limiter → the user's middleware → HTTP: a
// send whose first attempt could not connect is repeated by Retry and
// counted by the limiter once per attempt; the user's middleware sees
// both attempts.
func TestOutboundChainOrder(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	const token = "1011:chain"
	srv.Chat(t, token, tg.User{ID: 7, FirstName: "Ann"}).Send("hi")
	attempts := 0
	failFirst := func(next tg.Caller) tg.Caller {
		return tg.CallerFunc(func(ctx context.Context, method string, params, result any) error {
			if method != "sendMessage" {
				return next.Call(ctx, method, params, result)
			}
			if attempts++; attempts == 1 {
				return &tg.NetworkError{Method: method, Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}
			}
			return next.Call(ctx, method, params, result)
		})
	}
	bot, err := herald.New(token, srv.Client(), herald.WithClientOptions(tg.WithMiddleware(failFirst)),
		herald.WithRetry(limit.RetryConfig{BaseDelay: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Client().SendMessage(context.Background(), tg.SendMessageParams{ChatID: tg.ID(7), Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if st := bot.Limiter().Stats(); attempts != 2 || st.Granted != 2 {
		t.Fatalf("%d attempts, limiter granted %d; want 2 and 2", attempts, st.Granted)
	}
}

// The options: WithoutLimiter and WithoutRetry remove each; WithLimits
// and WithRetry configure them (and undo an earlier Without…).
func TestOutboundOptions(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	const token = "1012:options"
	srv.Chat(t, token, tg.User{ID: 7, FirstName: "Ann"}).Send("hi")
	refused := &tg.NetworkError{Method: "getMe", Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}
	failing := func(end *testkit.Caller) herald.Option { // every call ends in end, refused
		return herald.WithClientOptions(tg.WithMiddleware(func(tg.Caller) tg.Caller { return end }))
	}
	ctx := context.Background()

	end := testkit.Fail(refused)
	bot, err := herald.New(token, srv.Client(), herald.WithoutLimiter(), herald.WithoutRetry(), failing(end))
	if err != nil {
		t.Fatal(err)
	}
	if bot.Limiter() != nil {
		t.Fatal("WithoutLimiter: the bot still has a limiter")
	}
	if _, err := bot.Client().GetMe(ctx); err == nil || end.Count("") != 1 {
		t.Fatalf("WithoutRetry: %d calls, err %v; want 1 and the error", end.Count(""), err)
	}

	end.Reset()
	bot, err = herald.New(token, srv.Client(), herald.WithoutLimiter(), herald.WithLimits(limit.Config{Chat: limit.Unlimited}),
		herald.WithoutRetry(), herald.WithRetry(limit.RetryConfig{MaxAttempts: 3, BaseDelay: time.Millisecond}), failing(end))
	if err != nil {
		t.Fatal(err)
	}
	if bot.Limiter() == nil {
		t.Fatal("WithLimits after WithoutLimiter: no limiter")
	}
	if _, err := bot.Client().GetMe(ctx); err == nil || end.Count("") != 3 {
		t.Fatalf("WithRetry(MaxAttempts 3): %d calls, err %v; want 3 and the error", end.Count(""), err)
	}
}
