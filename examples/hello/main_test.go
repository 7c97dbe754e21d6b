package main

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// TestHello runs the README's bot against the emulator: /start, press, edit.
func TestHello(t *testing.T) {
	emu := emulator.New(emulator.Options{})
	defer emu.Close()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	const token = "1003:hello"
	bot, err := newBot(token, herald.WithClientOptions(tg.WithBaseURL(srv.URL)), herald.WithPolling(source.PollerConfig{Timeout: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bot.Run(ctx) }()
	defer func() { cancel(); <-done }()

	ann := tg.User{ID: 7, FirstName: "Ann"}
	if _, err := emu.SendMessage(ctx, emulator.UserMessage{Token: token, From: ann, Text: "/start"}); err != nil {
		t.Fatal(err)
	}
	last := func() emulator.Entry {
		entries, _ := emu.Transcript(token, 7)
		if len(entries) == 0 {
			return emulator.Entry{}
		}
		return entries[len(entries)-1]
	}
	wait := func(what string, ok func(emulator.Entry) bool) emulator.Entry {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if e := last(); ok(e) {
				return e
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("timed out waiting for %s; last entry %+v", what, last())
		return emulator.Entry{}
	}
	reply := wait("the greeting", func(e emulator.Entry) bool { return e.Sender == "bot" && e.Text == "Hello!" })
	p, err := emu.PressButton(ctx, emulator.ButtonPress{Token: token, From: ann, ChatID: 7, MessageID: reply.MessageID, Data: "pressed"})
	if err != nil {
		t.Fatal(err)
	}
	wait("the edit", func(e emulator.Entry) bool { return e.Text == "You pressed the button." && e.EditDate != 0 })
	if a, ok := emu.CallbackAnswer(token, p.CallbackQueryID); !ok || a.Text != "Pressed!" {
		t.Errorf("callback answer %+v, %v", a, ok)
	}
}
