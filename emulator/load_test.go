package emulator

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald/internal/testkit"

	"github.com/heraldbot/herald/tg"
)

func TestLoad(t *testing.T) {
	e, url, c, ctx := startBot(t)
	l := Load{Token: testToken, Users: 5, MessagesPerUser: 3, FirstUserID: 100, MaxDuration: 10 * time.Second}
	res, err := e.RunLoad(ctx, l)
	if err != nil || res.Messages != 15 || res.Failed != 0 {
		t.Fatalf("in-process load = %+v, %v", res, err)
	}
	// The bot answers every user with a button; then the users press it
	// over HTTP, paced at 200 actions/s.
	for u := range 5 {
		if _, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(int64(100 + u)), Text: "pick",
			ReplyMarkup: inlineKeyboard([]tg.InlineKeyboardButton{cbButton("ok", "ok")})}); err != nil {
			t.Fatal(err)
		}
	}
	l.MessagesPerUser, l.PressesPerUser, l.Rate = 1, 1, 200
	res, err = RunLoadHTTP(ctx, url, l)
	if err != nil || res.Messages != 5 || res.Presses != 5 || res.Failed != 0 || res.Skipped != 0 {
		t.Fatalf("HTTP load = %+v, %v", res, err)
	}
	if res.Elapsed < 40*time.Millisecond { // 10 actions at 200/s take at least 45 ms
		t.Fatalf("rate not applied: %v", res.Elapsed)
	}
	ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{})
	if err != nil || len(ups) != 25 {
		t.Fatalf("updates = %d, %v", len(ups), err)
	}
	st, _ := e.Stats(testToken)
	if st.UpdatesQueued != 25 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestLoadBounds(t *testing.T) {
	e, _ := startEmu(t, Options{})
	ctx := testkit.Context(t)
	if _, err := RunLoadHTTP(ctx, "http://192.0.2.1:8081", Load{Token: testToken, Users: 1, MessagesPerUser: 1}); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("remote load target: %v", err)
	}
	if _, err := e.RunLoad(ctx, Load{Token: testToken, Users: 0}); err == nil {
		t.Fatal("zero users accepted")
	}
	if _, err := e.RunLoad(ctx, Load{Token: testToken, Users: 1_000_000, MessagesPerUser: 11}); err == nil {
		t.Fatal("too many actions accepted")
	}
	// MaxDuration stops a slow run.
	res, err := e.RunLoad(ctx, Load{Token: testToken, Users: 1, MessagesPerUser: 1000, Rate: 100, MaxDuration: 50 * time.Millisecond})
	if err == nil || res.Messages >= 1000 {
		t.Fatalf("bounded run = %+v, %v", res, err)
	}
}
