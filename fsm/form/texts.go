package form

// Texts are the words a form says. Set the ones to change with
// Form.Texts; empty ones keep their defaults (DefaultTexts).
type Texts struct {
	// Button labels.
	Back, Skip, Cancel, Confirm, Edit string
	// Cancelled is sent when the user cancels (unless OnCancel is set).
	Cancelled string
	// Stale answers a button of a finished form or of another step.
	Stale string
	// ChooseField answers the Edit button, above the list of fields.
	ChooseField string
	// FirstField answers Back on the first question.
	FirstField string
	// Required answers Skip on a question that cannot be skipped.
	Required string
	// UseButtons answers text sent while the summary waits for a button.
	UseButtons string
	// Current introduces the answer given before, when a question is
	// asked again (Back, Edit); %s is the answer.
	Current string
	// Reset is sent when a form's stored step no longer exists (the form
	// changed between two versions of the bot) and the form was reset.
	Reset string
	// Unanswered stands for a skipped field in the default summary.
	Unanswered string
}

// DefaultTexts are the English defaults.
var DefaultTexts = Texts{
	Back:        "« Back",
	Skip:        "Skip »",
	Cancel:      "✖ Cancel",
	Confirm:     "✔ Confirm",
	Edit:        "✎ Edit",
	Cancelled:   "Cancelled.",
	Stale:       "This button is no longer active.",
	ChooseField: "Which answer do you want to change?",
	FirstField:  "This is the first question.",
	Required:    "This question cannot be skipped.",
	UseButtons:  "Please confirm or edit with the buttons below.",
	Current:     "Current answer: %s",
	Reset:       "This form has changed since you started it; please start again.",
	Unanswered:  "—",
}

// withDefaults fills empty texts from DefaultTexts.
func (t Texts) withDefaults() Texts {
	d := DefaultTexts
	for _, p := range []struct{ v, def *string }{
		{&t.Back, &d.Back}, {&t.Skip, &d.Skip}, {&t.Cancel, &d.Cancel}, {&t.Confirm, &d.Confirm},
		{&t.Edit, &d.Edit}, {&t.Cancelled, &d.Cancelled}, {&t.Stale, &d.Stale},
		{&t.ChooseField, &d.ChooseField}, {&t.FirstField, &d.FirstField}, {&t.Required, &d.Required},
		{&t.UseButtons, &d.UseButtons}, {&t.Current, &d.Current}, {&t.Reset, &d.Reset},
		{&t.Unanswered, &d.Unanswered},
	} {
		if *p.v == "" {
			*p.v = *p.def
		}
	}
	return t
}
