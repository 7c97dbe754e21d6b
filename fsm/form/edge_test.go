package form_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/fsm/form"
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

// TestFormEditFromSummary: every way of changing an answer from the
// summary leads back to it: a new answer, a choice button, Skip, and Back
// (even on the first question); the list of fields has its own Back to the
// summary's buttons.
func TestFormEditFromSummary(t *testing.T) {
	r := newRig(t, "7001:form-edit")
	store := newMemory(t)
	done := make(chan Order, 1)
	r.run(store, orderBot(done))
	fay := r.user(16, "Fay")

	fay.say("/order")
	fay.say("Fay")
	fay.say("2")
	fay.press("S")
	wantText(t, "e-mail", fay.say("fay@example.com"), "2 × S for Fay <fay@example.com>")
	summaryMsg, _ := fay.button("✎ Edit")

	// Edit, then Back: the summary's own buttons come back on the message.
	if got := fay.tap("✎ Edit"); got != "Which answer do you want to change?" {
		t.Fatalf("Edit answered %q", got)
	}
	fay.until("the list of fields", func() bool {
		return strings.Join(fay.keyboardLabels(summaryMsg), ",") == "name,Quantity,size,email,« Back"
	})
	if got := fay.tap("« Back"); got != "" {
		t.Errorf("Back on the list of fields answered %q", got)
	}
	fay.until("the summary's buttons again", func() bool {
		return strings.Join(fay.keyboardLabels(summaryMsg), ",") == "✔ Confirm,✎ Edit,« Back,✖ Cancel"
	})

	// The first question, picked from the summary, has a Back button that
	// returns to the summary.
	fay.tap("✎ Edit")
	wantText(t, "pick name", fay.press("name"), "What's your name?", "Current answer: Fay")
	wantText(t, "back while editing the first question", fay.press("« Back"), "2 × S for Fay <fay@example.com>")
	if s := stateOf(t, store, 16); s != "order:_summary" {
		t.Fatalf("state after Back from an edited question: %q", s)
	}

	// /back while editing: the summary, not the previous question.
	fay.tap("✎ Edit")
	fay.press("size")
	wantText(t, "/back while editing", fay.say("/back"), "2 × S for Fay")

	// A choice button while editing.
	fay.tap("✎ Edit")
	wantText(t, "pick size", fay.press("size"), "Which size?", "Current answer: S")
	wantText(t, "new size", fay.press("L"), "2 × L for Fay <fay@example.com>")

	// Skip while editing: the field is emptied and the summary is back.
	fay.tap("✎ Edit")
	fay.press("email")
	wantText(t, "skip while editing", fay.press("Skip »"), "2 × L for Fay <>")

	// A normal answer after editing goes on to the next question again.
	wantText(t, "back from the summary", fay.press("« Back"), "Your e-mail?")
	wantText(t, "back again", fay.say("/back"), "Which size?", "Current answer: L")
	wantText(t, "answer without editing", fay.press("M"), "Your e-mail?")
	fay.say("/skip")
	fay.press("✔ Confirm")
	if got, want := <-done, (Order{Name: "Fay", Qty: 2, Size: "M"}); got != want {
		t.Errorf("OnDone got %+v, want %+v", got, want)
	}
	r.noErrors()
}

type Survey struct {
	Name string
	Age  int
}

// TestFormDefaultSummaryTextsAndOnCancel: the default summary lists
// labels and answers (long ones cut, skipped ones marked), custom Texts
// replace only what they set, and OnCancel replaces the Cancelled reply.
func TestFormDefaultSummaryTextsAndOnCancel(t *testing.T) {
	r := newRig(t, "7001:form-texts")
	store := newMemory(t)
	r.run(store, func(b *herald.Bot) {
		f := form.New[Survey]("survey").
			Text("name", "Name?", func(s *Survey, v string) error { s.Name = v; return nil }, form.Label("Your name")).
			Field("age", "Age?", form.Into(form.Int(1, 150), func(s *Survey, v int) error { s.Age = v; return nil }), form.Optional()).
			Texts(form.Texts{Skip: "Later", UseButtons: "Buttons, please.", Unanswered: "(none)"}).
			OnCancel(func(c *herald.Context) error { _, err := c.Reply("cancel hook"); return err }).
			OnDone(func(c *herald.Context, s Survey) error { _, err := c.Reply("done " + s.Name); return err })
		if f.Name() != "survey" || f.Group() != fsm.NewGroup("survey") {
			t.Errorf("Name %q, Group %q", f.Name(), f.Group())
		}
		f.Register(b.Router())
		b.Router().Command("survey", f.Start)
	})
	gus := r.user(17, "Gus")

	wantText(t, "/survey", gus.say("/survey"), "Name?")
	long := strings.Repeat("é", 150)
	wantText(t, "a long name", gus.say(long), "Age?")
	sum := gus.press("Later")
	want := "Your name: " + strings.Repeat("é", 99) + "…\nage: (none)"
	if sum != want {
		t.Errorf("default summary:\n got %q\nwant %q", sum, want)
	}
	wantText(t, "text at the summary", gus.say("ok"), "Buttons, please.", "age: (none)")
	_, _ = gus.button("✖ Cancel") // an unset text keeps its default
	wantText(t, "back to a question with a long answer", gus.press("« Back"), "Age?")
	wantText(t, "back again", gus.say("/back"), "Name?", "Current answer: "+strings.Repeat("é", 99)+"…")
	if got := gus.say("/cancel"); got != "cancel hook" {
		t.Errorf("/cancel with OnCancel: the bot said %q", got)
	}
	if s := stateOf(t, store, 17); s != fsm.NoState {
		t.Errorf("state after /cancel: %q", s)
	}
	r.noErrors()
}

func TestFormStartBeforeRegister(t *testing.T) {
	f := form.New[Order]("early").
		Text("a", "A?", func(o *Order, v string) error { o.Name = v; return nil }).
		OnDone(func(*herald.Context, Order) error { return nil })
	if err := f.Start(nil); err == nil || !strings.Contains(err.Error(), "before Register") {
		t.Fatalf("Start before Register: %v", err)
	}
	r := herald.NewRouter("r")
	f.Register(r)
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "changed after Register") {
			t.Errorf("changing a registered form: panic %v", p)
		}
	}()
	f.Texts(form.Texts{Back: "<"})
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

// TestFormOnDoneMovesElsewhere: an OnDone that starts something else and
// then fails leaves the conversation where OnDone put it.
func TestFormOnDoneMovesElsewhere(t *testing.T) {
	r := newRig(t, "7001:form-moved")
	store := newMemory(t)
	next := fsm.NewGroup("next").State("step")
	r.run(store, orderBotWith(func(c *herald.Context, o Order) error {
		if err := c.FSM().SetState(c, next); err != nil {
			return err
		}
		return errors.New("half done")
	}))
	jo := r.user(20, "Jo")
	jo.say("/order")
	jo.say("Jo")
	jo.say("1")
	jo.press("S")
	jo.say("/skip")
	jo.tap("✔ Confirm")
	r.waitErrors(1)
	if s := stateOf(t, store, 20); s != next {
		t.Errorf("state after OnDone moved and failed: %q, want %q", s, next)
	}
}
