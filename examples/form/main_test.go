package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// TestSignup fills the form against the emulator, with a bad answer on the
// way and a restart of the bot in the middle.
func TestSignup(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits()) // the test user answers faster than 1 message/s
	const token = "1004:form"
	path := filepath.Join(t.TempDir(), "form.db")
	start := func() (stop func()) {
		store, err := sqlite.Open(context.Background(), path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		bot, err := newBot(token, append([]herald.Option{herald.WithBackend(store)}, srv.Polling()...)...)
		if err != nil {
			t.Fatal(err)
		}
		stopBot := emutest.Run(t, bot)
		return func() { _ = stopBot(); store.Close() }
	}
	stop := start()
	chat := srv.Chat(t, token, tg.User{ID: 77, FirstName: "Ann"})
	chat.SendWait("/signup", "What's your name?")
	chat.SendWait("Ann", "How old are you?")
	chat.SendWait("seven", "How old are you?") // a friendly error, then the question again

	stop() // the bot restarts in the middle of the form
	stop = start()
	defer func() { stop() }()

	chat.SendWait("30", "Your e-mail?")
	summary := chat.SendWait("ann@example.com", `Ann, 30, "ann@example.com"`)
	chat.Press(summary, "Confirm")
	chat.WaitFor("the welcome", func(e emulator.Entry) bool {
		return e.Sender == "bot" && strings.Contains(e.Text, "Welcome aboard, Ann!")
	})
}
