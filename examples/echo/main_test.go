package main

import (
	"testing"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

func TestEcho(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	const token = "1001:echo"
	bot, err := newBot(token, srv.Polling()...)
	if err != nil {
		t.Fatal(err)
	}
	emutest.Run(t, bot)

	chat := srv.Chat(t, token, tg.User{ID: 5, FirstName: "Ann"})
	s := chat.Send("hello there")
	answer := chat.WaitFor("the echo", func(e emulator.Entry) bool { return e.MessageID > s.MessageID })
	if answer.Sender != "bot" || answer.Text != "hello there" {
		t.Fatalf("answer %+v", answer)
	}
}
