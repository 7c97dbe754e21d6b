package herald_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/internal/testkit"

	"github.com/go-json-experiment/json"
	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald"
	redisstore "github.com/heraldbot/herald/backend/redis"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// TestFleetConfirmOrderOnce: three bot instances, each with its own Redis
// client, share one Redis for state, locks, dedup and idempotency; 100
// presses of the same "confirm order" button are delivered to them
// concurrently, as Telegram's parallel webhook connections would. Exactly
// one order is created and every press is answered.
func TestFleetConfirmOrderOnce(t *testing.T) {
	addr := testkit.NeedRedis(t)
	w := newWorld(t)
	const token = "7400:fleet"
	const secret = "fleet-secret"
	botID := time.Now().UnixNano() % 1_000_000_000 // fresh keys for every run
	var orders, answered atomic.Int64

	var handlers []http.Handler
	for i := range 3 {
		rc := goredis.NewClient(&goredis.Options{Addr: addr, ContextTimeoutEnabled: true})
		t.Cleanup(func() { rc.Close() })
		store := redisstore.New(rc, botID, redisstore.Options{})
		b := w.newBot(t, token,
			herald.WithFSM(store, herald.FSMConfig{}), herald.WithLocker(store, 5*time.Second),
			herald.WithDedup(store), herald.WithMarker(store),
			herald.WithWebhook(herald.WebhookConfig{SecretToken: secret}), // mounted below, not listening
		)
		b.Router().Command("start", func(c *herald.Context) error {
			_, err := c.ReplyWith(tg.SendMessageParams{Text: "Order #42: confirm?", ReplyMarkup: &tg.InlineKeyboardMarkup{
				InlineKeyboard: [][]tg.InlineKeyboardButton{{{Text: "Confirm", CallbackData: "confirm:42"}}},
			}})
			return err
		})
		b.Router().CallbackQuery(func(c *herald.Context) error {
			ran, err := c.Once("order:42:confirm", time.Hour, func() error {
				orders.Add(1)
				time.Sleep(5 * time.Millisecond) // the order takes a while to create
				return nil
			})
			if err != nil {
				return err
			}
			text := "Already confirmed"
			if ran {
				text = "Order confirmed"
			}
			if err := c.Answer(text); err != nil {
				return err
			}
			answered.Add(1)
			return nil
		}, herald.CallbackPrefix("confirm:"))
		emutest.Run(t, b)
		handlers = append(handlers, b.WebhookHandler())
		_ = i
	}
	// One front door that spreads requests over the instances.
	var next atomic.Int64
	front := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		handlers[next.Add(1)%3].ServeHTTP(rw, r)
	}))
	defer front.Close()

	// The user asks for the order; the bot's reply carries the button.
	ctx := context.Background()
	user := tg.User{ID: 501, FirstName: "Ann"}
	if _, err := w.Emu.SendMessage(ctx, emulator.UserMessage{Token: token, From: user, Text: "/start"}); err != nil {
		t.Fatal(err)
	}
	deliver := func(u tg.Update) { // like Telegram: retry while the bot answers 503
		body, _ := json.Marshal(&u)
		for attempt := 0; ; attempt++ {
			req, _ := http.NewRequest(http.MethodPost, front.URL, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(source.SecretHeader, secret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusServiceUnavailable && attempt < 100 {
				time.Sleep(20 * time.Millisecond) // an instance still starting
				continue
			}
			if resp.StatusCode != http.StatusOK {
				t.Errorf("webhook answered %d", resp.StatusCode)
			}
			return
		}
	}
	api, err := tg.New("7400:fleet", tg.WithBaseURL(w.URL))
	if err != nil {
		t.Fatal(err)
	}
	fetch := func(n int) []tg.Update { // the test plays Telegram's delivery side
		var got []tg.Update
		var offset int64
		deadline := time.Now().Add(20 * time.Second)
		for len(got) < n && time.Now().Before(deadline) {
			ups, err := api.GetUpdates(ctx, tg.GetUpdatesParams{Offset: offset, Timeout: 1})
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range ups {
				got = append(got, u)
				offset = u.UpdateID + 1
			}
		}
		if len(got) < n {
			t.Fatalf("fetched %d updates, want %d", len(got), n)
		}
		_, _ = api.GetUpdates(ctx, tg.GetUpdatesParams{Offset: offset})
		return got
	}
	deliver(fetch(1)[0])
	var msgID int64
	for _, e := range w.mustTranscript(t, token, user.ID) {
		if e.Sender == "bot" {
			msgID = e.MessageID
		}
	}
	if msgID == 0 {
		t.Fatal("the bot did not send the confirmation message")
	}

	// 100 presses of the same button.
	var ids []string
	for range 100 {
		p, err := w.Emu.PressButton(ctx, emulator.ButtonPress{Token: token, From: user, ChatID: user.ID, MessageID: msgID, Data: "confirm:42"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.CallbackQueryID)
	}
	presses := fetch(100)
	var wg sync.WaitGroup
	for _, u := range presses {
		wg.Add(1)
		go func() { defer wg.Done(); deliver(u) }()
	}
	wg.Wait()

	if n := orders.Load(); n != 1 {
		t.Errorf("%d orders created, want exactly 1", n)
	}
	if n := answered.Load(); n != 100 {
		t.Errorf("%d presses answered, want 100", n)
	}
	confirmed := 0
	for _, id := range ids {
		a, ok := w.Emu.CallbackAnswer(token, id)
		if !ok {
			t.Errorf("press %s was not answered", id)
			continue
		}
		if a.Text == "Order confirmed" {
			confirmed++
		}
	}
	if confirmed != 1 {
		t.Errorf("%d presses were told the order was created, want 1", confirmed)
	}
}

func (w *world) mustTranscript(t *testing.T, token string, chatID int64) []emulator.Entry {
	t.Helper()
	entries, err := w.Emu.Transcript(token, chatID)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}
