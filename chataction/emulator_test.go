package chataction_test

import (
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/chataction"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// TestKeepInEmulator runs a bot against the emulator over HTTP whose
// handler works until the test lets it finish: the chat shows "typing"
// while it works, then the reply, and no action after the reply.
func TestKeepInEmulator(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	const token = "7516:chataction"
	bot, err := herald.New(token, srv.Polling(herald.WithLogger(emutest.Quiet()))...)
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	bot.Router().Command("slow", func(c *herald.Context) error {
		return chataction.Keep(c, chataction.Typing, func() error {
			select {
			case <-release:
			case <-c.Done():
				return c.Err()
			}
			_, err := c.Reply("done")
			return err
		})
	})
	emutest.Run(t, bot)

	user := tg.User{ID: 516, FirstName: "Ann"}
	chat := srv.Chat(t, token, user)
	chat.Send("/start") // the chat exists from here on
	events, cancel, err := srv.Emu.Subscribe(token, user.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	chat.Send("/slow")

	var seen []string
	next := func(what string) string {
		t.Helper()
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("the event stream ended waiting for %s", what)
			}
			if ev.Type == "chat_action" {
				return "action " + ev.Action
			}
			if ev.Message != nil {
				return ev.Type + " " + ev.Message.Sender + " " + ev.Message.Text
			}
			return ev.Type
		case <-time.After(emutest.Wait):
			t.Fatalf("no %s within %v; saw %q", what, emutest.Wait, seen)
			return ""
		}
	}
	for {
		e := next("a chat action")
		seen = append(seen, e)
		if e == "action typing" {
			break
		}
	}
	close(release)
	for {
		e := next("the reply")
		seen = append(seen, e)
		if e == "sent bot done" {
			break
		}
		if e != "action typing" {
			t.Errorf("unexpected event %q while the handler worked", e)
		}
	}
	// The handler returned: no action follows the reply.
	select {
	case ev := <-events:
		if ev.Type == "chat_action" {
			t.Errorf("an action after the reply: %+v", ev)
		}
	case <-time.After(chataction.Interval + time.Second):
	}
}
