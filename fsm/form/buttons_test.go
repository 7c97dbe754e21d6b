package form_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/tg"
)

// keyboardLabels returns the button labels of the bot's message msgID.
func (u *user) keyboardLabels(msgID int64) []string {
	u.r.t.Helper()
	var out []string
	for _, e := range u.botMessages() {
		if e.MessageID != msgID {
			continue
		}
		for _, row := range emutest.Keyboard(e) {
			for _, b := range row {
				out = append(out, b.Text)
			}
		}
	}
	return out
}

type Survey struct {
	Name string
	Age  int
}

// TestFormForgedButtons: callback data of the form that no keyboard of
// the current step holds (a choice out of range, a summary action on a
// question, a field that does not exist) is answered as stale and changes
// nothing.
func TestFormForgedButtons(t *testing.T) {
	r := newRig(t, "7001:form-forged")
	store := newMemory(t)
	// /forge <data> sends a message with a button carrying data, as if an
	// old or tampered keyboard had it.
	r.run(store, func(b *herald.Bot) {
		b.Router().Command("forge", func(c *herald.Context) error {
			_, err := c.ReplyWith(tg.SendMessageParams{Text: "forged", ReplyMarkup: &tg.InlineKeyboardMarkup{
				InlineKeyboard: [][]tg.InlineKeyboardButton{{{Text: "forged", CallbackData: c.Args()}}}}})
			return err
		})
		orderBot(make(chan Order, 1))(b)
	})
	hal := r.user(18, "Hal")
	hal.say("/order")
	hal.say("Hal")
	wantText(t, "quantity", hal.say("4"), "Which size?")
	_, data := hal.button("M") // form.order:o:<run>:2:1
	parts := strings.Split(data, ":")
	if len(parts) != 5 || parts[1] != "o" || parts[3] != "2" || parts[4] != "1" {
		t.Fatalf("unexpected callback data %q", data)
	}
	forge := func(act, step, arg string) string {
		return strings.Join([]string{parts[0], act, parts[2], step, arg}, ":")
	}
	for what, d := range map[string]string{
		"choice out of range":     forge("o", "2", "9"),
		"negative choice":         forge("o", "2", "-1"),
		"confirm on a question":   forge("k", "2", "0"),
		"pick on a question":      forge("f", "2", "0"),
		"unknown action":          forge("z", "2", "0"),
		"another step":            forge("o", "1", "1"),
		"another run":             strings.Join([]string{parts[0], "o", "zz", "2", "1"}, ":"),
		"pick beyond the summary": forge("f", "4", "7"),
	} {
		hal.say("/forge " + d)
		if got := hal.tap("forged"); got != "This button is no longer active." {
			t.Errorf("%s (%q) answered %q", what, d, got)
		}
	}
	if s := stateOf(t, store, 18); s != "order:size" {
		t.Fatalf("state after forged buttons: %q, want order:size", s)
	}
	wantText(t, "the real button still works", hal.press("M"), "Your e-mail?")
	r.noErrors()
}

// TestFormExpiredOrCorruptOnButton: a button pressed after the
// conversation expired is stale and the user's text goes to the other
// handlers; corrupt data met by a button press is an error and is cleared.
func TestFormExpiredOrCorruptOnButton(t *testing.T) {
	r := newRig(t, "7001:form-expired")
	store := newMemory(t)
	r.run(store, orderBot(make(chan Order, 1)))
	ivy := r.user(19, "Ivy")

	ivy.say("/order")
	ivy.say("Ivy")
	ivy.say("1")
	// The conversation expires: rewrite it with a very short TTL.
	rewrite(t, store, 19, 20*time.Millisecond, func(*fsm.Record) {})
	time.Sleep(50 * time.Millisecond)
	if got := ivy.tap("M"); got != "This button is no longer active." {
		t.Errorf("a button after expiry answered %q", got)
	}
	wantText(t, "text after expiry", ivy.say("M"), "idle")

	ivy.say("/order")
	ivy.say("Ivy")
	ivy.say("1")
	rewrite(t, store, 19, 0, func(rec *fsm.Record) { rec.Data = []byte(`{"run": 7}`) })
	// The rig's error handler does not answer the press (the default one
	// does), so do not wait for an answer.
	msg, data := ivy.button("M")
	if _, err := ivy.chat.PressData(msg, data); err != nil {
		t.Fatal(err)
	}
	r.waitErrors(1)
	r.wantCorrupt()
	if s := stateOf(t, store, 19); s != fsm.NoState {
		t.Errorf("state after corrupt data on a button: %q, want it cleared", s)
	}
}
