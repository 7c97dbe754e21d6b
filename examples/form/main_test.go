package main

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/examples/shop/shoptest"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// TestSignup fills the form against the emulator, with a bad answer on the
// way and a restart of the bot in the middle.
func TestSignup(t *testing.T) {
	off := emulator.NoLimits() // the test user answers faster than 1 message/s
	emu := emulator.New(emulator.Options{Limits: &off})
	defer emu.Close()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	const token = "1004:form"
	path := filepath.Join(t.TempDir(), "form.db")
	start := func() (stop func()) {
		store, err := sqlite.Open(context.Background(), path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		bot, err := newBot(token, store, herald.WithClientOptions(tg.WithBaseURL(srv.URL)),
			herald.WithPolling(source.PollerConfig{Timeout: time.Second}))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- bot.Run(ctx) }()
		return func() { cancel(); <-done; store.Close() }
	}
	stop := start()
	chat := &shoptest.Chat{T: t, Emu: emu, Token: token, User: tg.User{ID: 77, FirstName: "Ann"}}
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
