package form_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/fsm/form"
)

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

// TestFormOnDoneFailureKeepsSummary: when OnDone fails, the summary comes
// back so that the user can confirm again.
func TestFormOnDoneFailureKeepsSummary(t *testing.T) {
	r := newRig(t, "7001:form-retry")
	store := newMemory(t)
	calls := 0
	r.run(store, orderBotWith(func(c *herald.Context, o Order) error {
		calls++
		if calls == 1 {
			return errors.New("database down")
		}
		_, err := c.Reply("Saved " + o.Name)
		return err
	}))
	eve := r.user(15, "Eve")
	eve.say("/order")
	eve.say("Eve")
	eve.say("1")
	eve.press("S")
	wantText(t, "skip", eve.say("/skip"), "1 × S for Eve")
	eve.tap("✔ Confirm")
	r.waitErrors(1)
	if s := stateOf(t, store, 15); s != "order:_summary" {
		t.Fatalf("state after a failed OnDone: %q, want the summary", s)
	}
	wantText(t, "confirm again", eve.press("✔ Confirm"), "Saved Eve")
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errs) != 1 || !strings.Contains(r.errs[0].Error(), "database down") {
		t.Errorf("errors %v, want the OnDone failure", r.errs)
	}
}
