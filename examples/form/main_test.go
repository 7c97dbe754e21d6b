package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/memory"
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
	chat.SendWait("/start", "Send /signup to begin")
	chat.SendWait("/signup", "What's your name?")
	chat.SendWait("Ann", "How old are you?")
	chat.SendWait("seven", "How old are you?") // a friendly error, then the question again

	stop() // the bot restarts in the middle of the form
	stop = start()
	defer func() { stop() }()

	chat.SendWait("30", "Your e-mail?")
	summary := chat.SendWait("ann@example.com", "Name: Ann\nAge: 30\nE-mail: ann@example.com")
	chat.Press(summary, "Confirm")
	chat.WaitFor("the welcome", func(e emulator.Entry) bool {
		return e.Sender == "bot" && strings.Contains(e.Text, "Welcome aboard, Ann!")
	})
}

// TestSkippedEmail skips the optional question: the summary says it was
// skipped instead of showing an empty value.
func TestSkippedEmail(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	const token = "1005:form"
	bot, err := newBot(token, append([]herald.Option{herald.WithBackend(memory.New(memory.Options{}))}, srv.Polling()...)...)
	if err != nil {
		t.Fatal(err)
	}
	emutest.Run(t, bot) // stopped at cleanup
	chat := srv.Chat(t, token, tg.User{ID: 78, FirstName: "Bo"})
	chat.SendWait("/signup", "What's your name?")
	chat.SendWait("Bo", "How old are you?")
	chat.SendWait("41", "Your e-mail?")
	summary := chat.SendWait("/skip", "Please check your answers")
	if want := "Name: Bo\nAge: 41\nE-mail: (skipped)"; !strings.Contains(summary.Text, want) {
		t.Errorf("summary = %q, want it to contain %q", summary.Text, want)
	}
	if strings.Contains(summary.Text, `""`) {
		t.Errorf("summary shows an empty value: %q", summary.Text)
	}
}
