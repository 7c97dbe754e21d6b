package form

import (
	"errors"

	"github.com/heraldbot/herald"
)

// The handlers Register adds. Text and commands come only from users in
// the form's states (herald.InState); buttons from anyone, so that stale
// ones get an answer.

// atStep makes the handler of a message in the form's states: it reads the
// step and progress and calls do with them (a failed read goes to reset).
func (f *Form[T]) atStep(do func(c *herald.Context, step int, p progress[T]) error) herald.Handler {
	return func(c *herald.Context) error {
		step, p, err := f.current(c)
		if err != nil {
			return f.reset(c, err)
		}
		if p.replayed(c) {
			return f.show(c, step, p, "") // its reply may have been lost
		}
		return do(c, step, p)
	}
}

// onText takes a message as the answer to the current question.
func (f *Form[T]) onText(c *herald.Context, step int, p progress[T]) error {
	if step == len(f.fields) {
		return f.show(c, step, p, f.texts.UseButtons)
	}
	return f.answer(c, step, p, c.Text())
}

// onCancel is /cancel: the form ends wherever it is.
func (f *Form[T]) onCancel(c *herald.Context, _ int, _ progress[T]) error { return f.cancel(c) }

// reset handles a failed read for a message in the form's group: a step
// the form no longer has (the bot was updated mid-form) clears the
// conversation and tells the user; other errors go to the error path.
func (f *Form[T]) reset(c *herald.Context, err error) error {
	if !errors.Is(err, errStale) {
		return err
	}
	if err := c.FSM().Clear(c); err != nil {
		return err
	}
	_, err = c.Reply(f.texts.Reset)
	return err
}

// onButton handles the form's buttons. A button of another run or step,
// or pressed after the form ended, is answered with Texts.Stale.
func (f *Form[T]) onButton(c *herald.Context) error {
	b, _ := f.data.Value(c)
	step, p, err := f.current(c)
	if err == nil && p.replayed(c) {
		// This press moved the form already; its reply may have been lost.
		if err := c.Answer(""); err != nil {
			return err
		}
		return f.show(c, step, p, "")
	}
	if errors.Is(err, errStale) || (err == nil && (step != b.Step || p.Run != b.Run)) {
		return c.Answer(f.texts.Stale)
	}
	if err != nil {
		return err
	}
	if !f.valid(b, step) {
		return c.Answer(f.texts.Stale)
	}
	toast := ""
	if b.Act == actEdit {
		toast = f.texts.ChooseField
	}
	if err := c.Answer(toast); err != nil {
		return err
	}
	switch b.Act {
	case actChoice:
		return f.answer(c, step, p, f.fields[step].choices[b.Arg])
	case actSkip:
		return f.skip(c, step, p)
	case actBack:
		return f.back(c, step, p)
	case actCancel:
		return f.cancel(c)
	case actConfirm:
		return f.confirm(c, p)
	case actEdit:
		kb, err := f.pickKeys(p.Run)
		if err != nil {
			return err
		}
		return f.setKeyboard(c, kb, f.texts.ChooseField)
	case actSummary:
		kb, err := f.summaryKeys(p.Run)
		if err != nil {
			return err
		}
		return f.setKeyboard(c, kb, f.summaryText(p))
	default: // actPick
		next, np, err := f.move(c, step, p.Run, func(p *progress[T]) (int, error) {
			p.Editing = true
			return b.Arg, nil
		})
		return f.moved(c, step, p, next, np, err)
	}
}

// valid reports whether button b makes sense at step (of its own run).
func (f *Form[T]) valid(b button, step int) bool {
	summary := step == len(f.fields)
	switch b.Act {
	case actChoice:
		return !summary && b.Arg >= 0 && b.Arg < len(f.fields[step].choices)
	case actSkip, actBack, actCancel:
		return true
	case actConfirm, actEdit, actSummary:
		return summary
	case actPick:
		return summary && b.Arg >= 0 && b.Arg < len(f.fields)
	}
	return false
}
