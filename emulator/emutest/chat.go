package emutest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/tg"
)

// Wait is how long a Chat waits for the bot.
const Wait = 15 * time.Second

// Chat is one user talking to one bot in the emulator, in their private chat.
type Chat struct {
	T     testing.TB
	Emu   *emulator.Emulator
	Token string
	User  tg.User
}

// Send writes text as the user.
func (c *Chat) Send(text string) emulator.Sent {
	c.T.Helper()
	s, err := c.Emu.SendMessage(context.Background(), emulator.UserMessage{Token: c.Token, From: c.User, Text: text})
	if err != nil {
		c.T.Fatalf("sending %q: %v", text, err)
	}
	return s
}

// SendWait writes text and returns the bot's first message after it that
// contains want.
func (c *Chat) SendWait(text, want string) emulator.Entry {
	c.T.Helper()
	s := c.Send(text)
	return c.WaitBot(s.MessageID, want)
}

// Transcript returns the chat's messages (none before the user wrote).
func (c *Chat) Transcript() []emulator.Entry {
	c.T.Helper()
	es, err := c.Emu.Transcript(c.Token, c.User.ID)
	if e, ok := errors.AsType[*emulator.Error](err); ok && strings.Contains(e.Description, "chat not found") {
		return nil // the user has not written yet
	}
	if err != nil {
		c.T.Fatal(err)
	}
	return es
}

// BotMessages returns the bot's messages in the chat that are not deleted,
// in order.
func (c *Chat) BotMessages() []emulator.Entry {
	c.T.Helper()
	var out []emulator.Entry
	for _, e := range c.Transcript() {
		if e.Sender == "bot" && !e.Deleted {
			out = append(out, e)
		}
	}
	return out
}

// LastID returns the id of the chat's last message (0 if none).
func (c *Chat) LastID() int64 {
	c.T.Helper()
	es, err := c.Emu.Transcript(c.Token, c.User.ID)
	if err != nil || len(es) == 0 {
		return 0
	}
	return es[len(es)-1].MessageID
}

// WaitBot waits for a message of the bot newer than after whose text or
// caption contains want.
func (c *Chat) WaitBot(after int64, want string) emulator.Entry {
	c.T.Helper()
	return c.WaitFor(fmt.Sprintf("a bot message after #%d containing %q", after, want), func(e emulator.Entry) bool {
		return e.Sender == "bot" && e.MessageID > after && !e.Deleted && strings.Contains(e.Text+e.Caption, want)
	})
}

// WaitEdited waits for message id to contain want.
func (c *Chat) WaitEdited(id int64, want string) emulator.Entry {
	c.T.Helper()
	return c.WaitFor(fmt.Sprintf("message #%d to contain %q", id, want), func(e emulator.Entry) bool {
		return e.MessageID == id && strings.Contains(e.Text+e.Caption, want)
	})
}

// WaitFor waits until a message of the transcript matches.
func (c *Chat) WaitFor(what string, match func(emulator.Entry) bool) emulator.Entry {
	c.T.Helper()
	deadline := time.Now().Add(Wait)
	for {
		for _, e := range c.Transcript() {
			if match(e) {
				return e
			}
		}
		if time.Now().After(deadline) {
			c.T.Fatalf("timed out after %v waiting for %s; transcript:\n%s", Wait, what, Dump(c.Transcript()))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Button returns the callback data of the first inline button of e whose
// text contains label.
func (c *Chat) Button(e emulator.Entry, label string) string {
	c.T.Helper()
	for _, row := range Keyboard(e) {
		for _, b := range row {
			if strings.Contains(b.Text, label) && b.CallbackData != "" {
				return b.CallbackData
			}
		}
	}
	c.T.Fatalf("message #%d has no button %q; it has %v", e.MessageID, label, Keyboard(e))
	return ""
}

// Press presses the button labelled label under e and returns the text
// the bot answered the press with.
func (c *Chat) Press(e emulator.Entry, label string) string {
	c.T.Helper()
	p, err := c.PressData(e.MessageID, c.Button(e, label))
	if err != nil {
		c.T.Fatalf("pressing %q: %v", label, err)
	}
	return c.WaitAnswer(p)
}

// PressData presses the button with the callback data under message id.
func (c *Chat) PressData(id int64, data string) (emulator.Pressed, error) {
	return c.Emu.PressButton(context.Background(), emulator.ButtonPress{
		Token: c.Token, From: c.User, ChatID: c.User.ID, MessageID: id, Data: data,
	})
}

// WaitAnswer waits for the bot to answer the press and returns its text.
func (c *Chat) WaitAnswer(p emulator.Pressed) string {
	c.T.Helper()
	deadline := time.Now().Add(Wait)
	for {
		if a, ok := c.Emu.CallbackAnswer(c.Token, p.CallbackQueryID); ok {
			return a.Text
		}
		if time.Now().After(deadline) {
			c.T.Fatalf("the bot did not answer button press %s within %v", p.CallbackQueryID, Wait)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Keyboard decodes the inline keyboard of e (nil if it has none).
func Keyboard(e emulator.Entry) [][]tg.InlineKeyboardButton {
	if len(e.ReplyMarkup) == 0 {
		return nil
	}
	var kb tg.InlineKeyboardMarkup
	if err := json.Unmarshal(e.ReplyMarkup, &kb); err != nil {
		return nil
	}
	return kb.InlineKeyboard
}

// Dump formats a transcript for failure messages.
func Dump(es []emulator.Entry) string {
	var b strings.Builder
	for _, e := range es {
		text := e.Text + e.Caption
		if len(e.Photo) > 0 {
			text = "[photo] " + text
		}
		fmt.Fprintf(&b, "  #%d %s: %q\n", e.MessageID, e.Sender, text)
	}
	return b.String()
}
