package main

import (
	"testing"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// TestHello runs the README's bot against the emulator: /start, press, edit.
func TestHello(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	const token = "1003:hello"
	bot, err := newBot(token, srv.Polling()...)
	if err != nil {
		t.Fatal(err)
	}
	emutest.Run(t, bot)

	chat := srv.Chat(t, token, tg.User{ID: 7, FirstName: "Ann"})
	chat.Send("/start")
	reply := chat.WaitFor("the greeting", func(e emulator.Entry) bool { return e.Sender == "bot" && e.Text == "Hello!" })
	p, err := chat.PressData(reply.MessageID, "pressed")
	if err != nil {
		t.Fatal(err)
	}
	chat.WaitFor("the edit", func(e emulator.Entry) bool { return e.Text == "You pressed the button." && e.EditDate != 0 })
	if a, ok := srv.Emu.CallbackAnswer(token, p.CallbackQueryID); !ok || a.Text != "Pressed!" {
		t.Errorf("callback answer %+v, %v", a, ok)
	}
}
