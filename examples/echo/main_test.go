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

func TestEcho(t *testing.T) {
	emu := emulator.New(emulator.Options{})
	defer emu.Close()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	const token = "1001:echo"
	bot, err := newBot(token, herald.WithClientOptions(tg.WithBaseURL(srv.URL)), herald.WithPolling(source.PollerConfig{Timeout: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bot.Run(ctx) }()
	defer func() { cancel(); <-done }()

	if _, err := emu.SendMessage(ctx, emulator.UserMessage{Token: token, From: tg.User{ID: 5, FirstName: "Ann"}, Text: "hello there"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		entries, _ := emu.Transcript(token, 5)
		if len(entries) == 2 {
			if entries[1].Sender != "bot" || entries[1].Text != "hello there" {
				t.Fatalf("answer %+v", entries[1])
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no echo within 10 s")
}
