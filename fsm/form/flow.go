package form

import (
	"errors"
	"fmt"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/fsm"
)

// Start begins the form for the update's conversation (replacing whatever
// state it had) and asks the first question.
func (f *Form[T]) Start(c *herald.Context) error {
	var zero T
	return f.StartWith(c, zero)
}

// StartWith is Start with initial values, for a form that edits something
// that exists.
func (f *Form[T]) StartWith(c *herald.Context, initial T) error {
	if !f.prepared.Load() {
		return fmt.Errorf("form %q: Start before Register", f.name)
	}
	p := progress[T]{Run: newRun(), Values: initial}
	if err := fsm.Set(c, c.FSM(), f.stateOf(0), p); err != nil {
		return fmt.Errorf("form %q: %w", f.name, err)
	}
	return f.show(c, 0, p, "")
}

// userError is a parse, validation or setter error, shown to the user.
type userError struct{ err error }

func (e userError) Error() string { return e.err.Error() }

// current reads the form's step and progress. It returns errStale when
// the conversation is not at a step of the form. Corrupt data is cleared
// (so the user can start again) and returned as an error.
func (f *Form[T]) current(c *herald.Context) (step int, p progress[T], err error) {
	fc := c.FSM()
	st, err := fc.State(c)
	if err != nil {
		return -1, p, err
	}
	if step = f.stepOf(st); step < 0 {
		return -1, p, errStale
	}
	p, err = fsm.GetData[progress[T]](c, fc)
	if errors.Is(err, fsm.ErrCorrupt) {
		return -1, p, errors.Join(fmt.Errorf("form %q: %w", f.name, err), fc.Clear(c))
	}
	return step, p, err
}

// move changes the progress and the step in one atomic write if the
// conversation is still at step from of run; otherwise it returns
// errStale. change returns the next step.
func (f *Form[T]) move(c *herald.Context, from int, run string, change func(p *progress[T]) (int, error)) (int, progress[T], error) {
	var next int
	var out progress[T]
	want := f.stateOf(from)
	err := fsm.Update(c, c.FSM(), func(s *fsm.State, p *progress[T]) error {
		if *s != want || p.Run != run {
			return errStale
		}
		n, err := change(p)
		if err != nil {
			return err
		}
		p.Update = c.Update.UpdateID
		*s, next, out = f.stateOf(n), n, *p
		return nil
	})
	return next, out, err
}

// moved shows the step a move led to. A user error re-asks the question
// of step with the error above it; a stale move (the conversation moved
// on meanwhile) shows nothing.
func (f *Form[T]) moved(c *herald.Context, step int, p progress[T], next int, np progress[T], err error) error {
	if ue, ok := errors.AsType[userError](err); ok {
		return f.show(c, step, p, ue.Error())
	}
	if errors.Is(err, errStale) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.show(c, next, np, "")
}

// after returns the step after step: the next field, or the summary when
// the field was changed from the summary.
func (f *Form[T]) after(step int, p *progress[T]) int {
	if p.Editing {
		p.Editing = false
		return len(f.fields)
	}
	return step + 1
}

// answer applies text as the answer to field step.
func (f *Form[T]) answer(c *herald.Context, step int, p progress[T], text string) error {
	fl := f.fields[step]
	next, np, err := f.move(c, step, p.Run, func(p *progress[T]) (int, error) {
		if err := fl.apply(&p.Values, text); err != nil {
			return 0, userError{err}
		}
		if p.Answers == nil {
			p.Answers = map[string]string{}
		}
		p.Answers[fl.name] = strings.TrimSpace(text)
		return f.after(step, p), nil
	})
	return f.moved(c, step, p, next, np, err)
}

// back goes to the previous question; from a question changed from the
// summary, back to the summary; from the summary, to the last question.
func (f *Form[T]) back(c *herald.Context, step int, p progress[T]) error {
	if step == 0 && !p.Editing {
		return f.show(c, step, p, f.texts.FirstField)
	}
	next, np, err := f.move(c, step, p.Run, func(p *progress[T]) (int, error) {
		if p.Editing {
			p.Editing = false
			return len(f.fields), nil
		}
		return step - 1, nil
	})
	return f.moved(c, step, p, next, np, err)
}

// skip leaves an optional field empty (its zero value) and moves on.
func (f *Form[T]) skip(c *herald.Context, step int, p progress[T]) error {
	if step == len(f.fields) {
		return f.show(c, step, p, f.texts.UseButtons)
	}
	fl := f.fields[step]
	if !fl.optional {
		return f.show(c, step, p, f.texts.Required)
	}
	next, np, err := f.move(c, step, p.Run, func(p *progress[T]) (int, error) {
		if err := fl.clear(&p.Values); err != nil {
			return 0, userError{err}
		}
		delete(p.Answers, fl.name)
		return f.after(step, p), nil
	})
	return f.moved(c, step, p, next, np, err)
}

// cancel ends the form without a result.
func (f *Form[T]) cancel(c *herald.Context) error {
	if err := c.FSM().Clear(c); err != nil {
		return err
	}
	if f.onCancelFn != nil {
		return f.onCancelFn(c)
	}
	_, err := c.Reply(f.texts.Cancelled)
	return err
}

// confirm ends the form with its result: the state is cleared, then
// OnDone runs; if it fails, the summary is restored unless OnDone moved
// the conversation elsewhere.
func (f *Form[T]) confirm(c *herald.Context, p progress[T]) error {
	fc := c.FSM()
	if err := fc.Clear(c); err != nil {
		return err
	}
	err := f.done(c, p.Values)
	if err == nil {
		return nil
	}
	err = fmt.Errorf("form %q: OnDone: %w", f.name, err)
	if st, serr := fc.State(c); serr != nil || st != fsm.NoState {
		return errors.Join(err, serr)
	}
	rerr := fsm.Update(c, fc, func(s *fsm.State, d *progress[T]) error {
		if *s != fsm.NoState {
			return errStale
		}
		*s, *d = f.stateOf(len(f.fields)), p
		return nil
	})
	if errors.Is(rerr, errStale) {
		rerr = nil
	}
	return errors.Join(err, rerr)
}
