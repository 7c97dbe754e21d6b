package form

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/fsm"
)

// progress is what a form keeps in the conversation's data while it runs;
// the current step is the conversation's state.
type progress[T any] struct {
	// Run identifies one run of the form: buttons carry it, so those of an
	// earlier run are recognised as stale.
	Run string `json:"run"`
	// Values is the result being filled.
	Values T `json:"values"`
	// Answers are the answers as given, by field name, for the default
	// summary and for showing the current answer when a question is asked
	// again.
	Answers map[string]string `json:"answers,omitzero"`
	// Editing is set while a field is changed from the summary: its answer
	// leads back to the summary.
	Editing bool `json:"editing,omitzero"`
	// Update is the id of the update that last moved the form. When the
	// same update comes again (handled again after a crash, between the
	// move and its reply), the form shows the current step instead of
	// applying the update a second time, to the next question.
	Update int64 `json:"update,omitzero"`
}

// replayed reports whether the update in c already moved the form.
func (p *progress[T]) replayed(c *herald.Context) bool {
	id := c.Update.UpdateID
	return id > 0 && p.Update == id
}

// newRun returns a short random run id.
func newRun() string { return strconv.FormatUint(uint64(rand.Uint32()), 36) }

// button is the callback data of the form's buttons, packed by
// herald.CallbackData as "form.<name>:<act>:<run>:<step>:<arg>".
type button struct {
	Act  string // one of the act constants
	Run  string // progress.Run of the run that sent it
	Step int    // the step it belongs to
	Arg  int    // choice or field index
}

// Button actions.
const (
	actChoice  = "o" // Arg: choice index
	actSkip    = "s"
	actBack    = "b"
	actCancel  = "x"
	actConfirm = "k"
	actEdit    = "e" // show the list of fields on the summary
	actPick    = "f" // Arg: the field to change
	actSummary = "m" // back from the list of fields to the summary buttons
)

// errStale means the conversation moved on since the update was sent.
var errStale = errors.New("form: stale")

// stateOf returns the state of step i: a field, or the summary at len(fields).
func (f *Form[T]) stateOf(step int) fsm.State {
	if step >= len(f.fields) {
		return f.atSummary
	}
	return f.fields[step].state
}

// stepOf returns the step of a state of the form, or -1 if the form has no
// such step.
func (f *Form[T]) stepOf(s fsm.State) int {
	if s == f.atSummary {
		return len(f.fields)
	}
	return slices.IndexFunc(f.fields, func(fl *field[T]) bool { return fl.state == s })
}

// checkButtonSize makes sure the longest button fits Telegram's 64 bytes.
func (f *Form[T]) checkButtonSize() error {
	most := len(f.fields)
	for _, fl := range f.fields {
		most = max(most, len(fl.choices))
	}
	_, err := f.data.Pack(button{Act: actChoice, Run: strconv.FormatUint(math.MaxUint32, 36), Step: most, Arg: most})
	return err
}
