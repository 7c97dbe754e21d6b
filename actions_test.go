package herald_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// Reply, Answer, Edit and Delete against the emulator over HTTP; a reply
// to a forum topic stays in the topic; helpers used on updates that lack
// what they need return their typed errors.
func TestActionsAgainstTheEmulator(t *testing.T) {
	w := newWorld(t)
	const token = "5151:actions"
	b := w.newBot(t, token)
	r := b.Router()
	r.Command("menu", func(c *herald.Context) error {
		_, err := c.ReplyWith(tg.SendMessageParams{Text: "menu", ReplyMarkup: &tg.InlineKeyboardMarkup{
			InlineKeyboard: [][]tg.InlineKeyboardButton{{{Text: "Edit", CallbackData: "edit"}, {Text: "Delete", CallbackData: "del"}}},
		}})
		return err
	})
	r.CallbackQuery(func(c *herald.Context) error {
		if err := c.Answer("editing"); err != nil {
			return err
		}
		// A query is answered once: a second answer (as a handler run
		// again after a crash makes) gets Telegram's 400, which Answer
		// takes for done.
		if err := c.Answer("again"); err != nil {
			return err
		}
		return c.Edit("edited", nil)
	}, herald.CallbackPrefix("edit"))
	r.CallbackQuery(func(c *herald.Context) error {
		if err := c.Delete(); err != nil {
			return err
		}
		return c.Answer("deleted")
	}, herald.CallbackPrefix("del"))
	r.Message(func(c *herald.Context) error {
		_, err := c.Reply("in the topic")
		return err
	}, herald.ChatType("supergroup"))
	emutest.Run(t, b)

	ch := w.Chat(t, token, tg.User{ID: 11, FirstName: "Eve"})
	menu := ch.SendWait("/menu", "menu")
	if got := ch.Press(menu, "Edit"); got != "editing" {
		t.Errorf("answer %q, want %q", got, "editing")
	}
	if e := ch.WaitEdited(menu.MessageID, "edited"); e.EditDate == 0 {
		t.Errorf("edited message has no edit_date: %+v", e)
	}
	menu2 := ch.SendWait("/menu", "menu")
	if got := ch.Press(menu2, "Delete"); got != "deleted" {
		t.Errorf("answer %q, want %q", got, "deleted")
	}
	ch.WaitFor("the second menu to be deleted", func(e emulator.Entry) bool { return e.MessageID == menu2.MessageID && e.Deleted })

	forum := tg.Chat{ID: -1005151, Type: "supergroup", Title: "Forum", IsForum: true}
	sent, err := w.Emu.SendMessage(context.Background(), emulator.UserMessage{
		Token: token, From: ch.User, Chat: forum, Text: "hello topic", MessageThreadID: 77,
	})
	if err != nil {
		t.Fatal(err)
	}
	emutest.Until(t, 10*time.Second, "the reply in the topic", func() bool {
		entries, _ := w.Emu.Transcript(token, forum.ID)
		for _, e := range entries {
			if e.Sender == "bot" && e.Text == "in the topic" {
				if e.MessageThreadID == 0 || e.MessageThreadID != topicOf(t, w, token, forum.ID, sent.MessageID) {
					t.Fatalf("reply in thread %d, the user wrote in another", e.MessageThreadID)
				}
				return true
			}
		}
		return false
	})

	// Helpers on updates without what they act on.
	poll := &tg.Update{UpdateID: 1, Poll: &tg.Poll{ID: "p"}}
	var errs []error
	b2, err := herald.New("5152:no-chat", herald.WithErrorReply(""), herald.WithErrorHandler(func(_ *herald.Context, err error) { errs = append(errs, err) }))
	if err != nil {
		t.Fatal(err)
	}
	b2.Router().Poll(func(c *herald.Context) error {
		_, err := c.Reply("x")
		return errors.Join(err, c.Answer("x"), c.Edit("x", nil), c.Delete())
	})
	_ = b2.HandleUpdate(context.Background(), poll)
	if len(errs) != 1 {
		t.Fatalf("errors %v, want one", errs)
	}
	for _, want := range []error{herald.ErrNoChat, herald.ErrNoCallback, herald.ErrNoMessage} {
		if !errors.Is(errs[0], want) {
			t.Errorf("%v does not wrap %v", errs[0], want)
		}
	}
}

// topicOf returns the thread of message id in a chat's transcript.
func topicOf(t *testing.T, w *world, token string, chatID, id int64) int64 {
	entries, err := w.Emu.Transcript(token, chatID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.MessageID == id {
			return e.MessageThreadID
		}
	}
	return 0
}
