package emulator

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/tg"
)

// send makes the bot send a text message to chatID.
func send(c *tg.Client, t *testing.T, chatID int64) error {
	_, err := c.SendMessage(t.Context(), tg.SendMessageParams{ChatID: tg.ID(chatID), Text: "x"})
	return err
}

func want429(t *testing.T, err error, seconds int) {
	t.Helper()
	te := wantAPIError(t, err, 429, "Too Many Requests: retry after "+strconv.Itoa(seconds))
	if te.RetryAfter != time.Duration(seconds)*time.Second {
		t.Fatalf("RetryAfter = %v, want %ds", te.RetryAfter, seconds)
	}
}

func TestLimitPerChat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, _, c := startBubble(t, Options{})
		say(t, e, "/start")
		for i := range 3 { // a burst of 3
			if err := send(c, t, ann.ID); err != nil {
				t.Fatalf("message %d: %v", i+1, err)
			}
		}
		want429(t, send(c, t, ann.ID), 1)
		time.Sleep(999 * time.Millisecond)
		want429(t, send(c, t, ann.ID), 1)
		time.Sleep(time.Millisecond)
		if err := send(c, t, ann.ID); err != nil {
			t.Fatal(err)
		}
		want429(t, send(c, t, ann.ID), 1)
		time.Sleep(3 * time.Second) // the burst refills
		for range 3 {
			if err := send(c, t, ann.ID); err != nil {
				t.Fatal(err)
			}
		}
		want429(t, send(c, t, ann.ID), 1)
		st, _ := e.Stats(testToken)
		if st.TooManyRequests != 4 {
			t.Fatalf("429s counted = %d, want 4", st.TooManyRequests)
		}
	})
}

func TestLimitPerBot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, _, c := startBubble(t, Options{})
		for i := range 31 {
			if _, err := e.SendMessage(t.Context(), UserMessage{Token: testToken, From: tg.User{ID: int64(5000 + i), FirstName: "U"}, Text: "hi"}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 30 {
			if err := send(c, t, int64(5000+i)); err != nil {
				t.Fatalf("message %d: %v", i+1, err)
			}
		}
		want429(t, send(c, t, 5030), 1)
		time.Sleep(time.Second / 30)
		if err := send(c, t, 5030); err != nil {
			t.Fatal(err)
		}
		want429(t, send(c, t, 5029), 1)
	})
}

func TestLimitPerGroup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, err := ParseLimits("bot=off,chat=off")
		if err != nil {
			t.Fatal(err)
		}
		e, _, c := startBubble(t, Options{Limits: &l})
		if _, err := e.SendMessage(t.Context(), UserMessage{Token: testToken, From: ann, Chat: tg.Chat{ID: -100, Type: "group"}, Text: "hi"}); err != nil {
			t.Fatal(err)
		}
		for i := range 20 {
			if err := send(c, t, -100); err != nil {
				t.Fatalf("message %d: %v", i+1, err)
			}
		}
		want429(t, send(c, t, -100), 3) // one more every 60/20 = 3 s
		time.Sleep(2 * time.Second)
		want429(t, send(c, t, -100), 1)
		time.Sleep(time.Second)
		if err := send(c, t, -100); err != nil {
			t.Fatal(err)
		}
		want429(t, send(c, t, -100), 3)
		// A private chat is not a group: unaffected.
		say(t, e, "/start")
		if err := send(c, t, ann.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLimitMediaGroupCountsEachMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, _, c := startBubble(t, Options{})
		say(t, e, "/start")
		ctx := t.Context()
		media := []any{
			&tg.InputMediaPhoto{Media: tg.FileUpload("a.png", bytes.NewReader(testPNG(t, 1, 1)))},
			&tg.InputMediaPhoto{Media: tg.FileUpload("b.png", bytes.NewReader(testPNG(t, 1, 1)))},
		}
		if err := c.Call(ctx, "sendMediaGroup", map[string]any{"chat_id": ann.ID, "media": media}, nil); err != nil {
			t.Fatal(err)
		}
		if err := send(c, t, ann.ID); err != nil { // the third of the burst
			t.Fatal(err)
		}
		want429(t, send(c, t, ann.ID), 1)
	})
}

func TestLimitHeaderAndBody(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := Limits{Chat: Rate{Count: 1, Per: 10 * time.Second, Burst: 1}}
		e, hc, _ := startBubble(t, Options{Limits: &l})
		say(t, e, "/start")
		post := func() (*http.Response, string) {
			resp, err := hc.Post(bubbleURL+"/bot"+testToken+"/sendMessage", "application/x-www-form-urlencoded",
				bytes.NewReader([]byte("chat_id=1001&text=hi")))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp, string(b)
		}
		if resp, body := post(); resp.StatusCode != 200 {
			t.Fatalf("first: %d %s", resp.StatusCode, body)
		}
		resp, body := post()
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "10" ||
			body != `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 10","parameters":{"retry_after":10}}` {
			t.Fatalf("second: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	})
}

func TestLimitsOffAndSwitch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, _, c := startBubble(t, Options{Limits: offLimits()})
		say(t, e, "/start")
		for i := range 200 {
			if err := send(c, t, ann.ID); err != nil {
				t.Fatalf("message %d: %v", i+1, err)
			}
		}
		e.SetLimits(TelegramLimits())
		for range 3 {
			if err := send(c, t, ann.ID); err != nil {
				t.Fatal(err)
			}
		}
		want429(t, send(c, t, ann.ID), 1)
	})
}

func TestParseLimits(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Limits
	}{
		{"telegram", TelegramLimits()},
		{"", TelegramLimits()},
		{"off", NoLimits()},
		{"bot=100/s", Limits{Bot: Rate{Count: 100, Per: time.Second}, Chat: TelegramLimits().Chat, Group: TelegramLimits().Group}},
		{"chat=2/s:5,group=off,bot=10/500ms", Limits{Bot: Rate{Count: 10, Per: 500 * time.Millisecond}, Chat: Rate{Count: 2, Per: time.Second, Burst: 5}}},
	} {
		got, err := ParseLimits(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseLimits(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if again, err := ParseLimits(got.String()); err != nil || again != got {
			t.Errorf("round trip of %q via %q = %+v, %v", tc.in, got.String(), again, err)
		}
	}
	for _, bad := range []string{"fast", "bot=0/s", "bot=1/fortnight", "chat=1/s:0", "planet=1/s", "bot=x/s"} {
		if _, err := ParseLimits(bad); err == nil {
			t.Errorf("ParseLimits(%q) succeeded", bad)
		}
	}
}

func TestCallbackExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, _, c := startBubble(t, Options{Limits: offLimits()})
		ctx := t.Context()
		say(t, e, "/start")
		m, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "Pick", ReplyMarkup: inlineKeyboard([]tg.InlineKeyboardButton{cbButton("A", "a")})})
		if err != nil {
			t.Fatal(err)
		}
		press := func() string {
			p, err := e.PressButton(ctx, ButtonPress{Token: testToken, From: ann, ChatID: ann.ID, MessageID: m.MessageID, Data: "a"})
			if err != nil {
				t.Fatal(err)
			}
			return p.CallbackQueryID
		}
		id := press()
		time.Sleep(CallbackExpiry)
		if _, err := c.AnswerCallbackQuery(ctx, tg.AnswerCallbackQueryParams{CallbackQueryID: id}); err != nil {
			t.Fatalf("answer at exactly 150 s: %v", err)
		}
		id = press()
		time.Sleep(CallbackExpiry + time.Second)
		_, err = c.AnswerCallbackQuery(ctx, tg.AnswerCallbackQueryParams{CallbackQueryID: id})
		wantAPIError(t, err, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
		_, err = c.AnswerCallbackQuery(ctx, tg.AnswerCallbackQueryParams{CallbackQueryID: "never-issued"})
		wantAPIError(t, err, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
	})
}

// TestLimitBatchLargerThanBurst: a batch bigger than the chat's burst passes
// when the bucket is idle, then holds it for its whole cost.
func TestLimitBatchLargerThanBurst(t *testing.T) {
	var g gcra
	r := Rate{Count: 1, Per: time.Second, Burst: 3}
	now := time.Unix(1000, 0)
	if w := g.check(r, now, 10); w != 0 {
		t.Fatalf("an idle bucket made a batch of 10 wait %v", w)
	}
	g.take(r, now, 10)
	if w := g.check(r, now, 1); w != 8*time.Second {
		t.Errorf("after a batch of 10 the next message waits %v, want 8s (10 s of cost, burst 3)", w)
	}
	if w := g.check(r, now.Add(8*time.Second), 1); w != 0 {
		t.Errorf("after 8 s: wait %v", w)
	}
}
