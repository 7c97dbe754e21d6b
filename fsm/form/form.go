package form

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/tg"
)

// Form is a multi-step form that fills a T. Declare it once at start-up
// with New and the builder methods, Register it on a router, and Start it
// from a handler. A Form is safe for concurrent use once registered.
type Form[T any] struct {
	name       string
	group      fsm.Group
	atSummary  fsm.State // the summary's state
	fields     []*field[T]
	summary    func(T) string
	done       func(c *herald.Context, result T) error
	onCancelFn func(c *herald.Context) error
	texts      Texts
	data       *herald.CallbackData[button]
	prepared   atomic.Bool
}

// field is one question of a form, its value type erased.
type field[T any] struct {
	name, prompt, label string
	state               fsm.State // the question's state
	optional            bool
	Input[T]
}

// Input is how a field's answer gets into T: a parser and a setter bound
// together by Into.
type Input[T any] struct {
	apply   func(t *T, text string) error // parse, validate, set
	clear   func(t *T) error              // set the zero value (Skip)
	choices []string
}

// Into binds a parser to a setter that stores the parsed value in the
// form's result. An error from set (a cross-field check, say) is shown to
// the user like a parse error. Setters may run more than once for one
// answer (a write that lost a race is retried), so they should only
// assign.
func Into[T, V any](p Parser[V], set func(t *T, v V) error) Input[T] {
	if p.parse == nil || set == nil {
		panic("form: Into needs a parser and a setter")
	}
	return Input[T]{
		apply: func(t *T, text string) error {
			v, err := p.parse(text)
			if err != nil {
				return err
			}
			return set(t, v)
		},
		clear: func(t *T) error {
			var zero V
			return set(t, zero)
		},
		choices: p.choices,
	}
}

// FieldOption configures a field.
type FieldOption func(*fieldOptions)

type fieldOptions struct {
	optional bool
	label    string
}

// Optional lets the user skip the field (button, or /skip); skipping sets
// the field to the zero value through its setter.
func Optional() FieldOption { return func(o *fieldOptions) { o.optional = true } }

// Label names the field in the default summary and on the Edit buttons
// (default: the field's name).
func Label(label string) FieldOption { return func(o *fieldOptions) { o.label = label } }

// summaryState is the name of the summary's state; field names may not
// start with '_', so it never clashes with one.
const summaryState = "_summary"

// New starts the declaration of a form. The name is the form's state group
// (its states are "name:field" and "name:_summary") and part of its
// buttons' callback data, so it must be a valid group name (no ':' or
// '*'), without '%', and short: New panics otherwise.
func New[T any](name string) *Form[T] {
	g := fsm.NewGroup(name)
	data, err := herald.NewCallbackData[button]("form." + name)
	if err != nil {
		panic(fmt.Sprintf("form %q: %v", name, err))
	}
	return &Form[T]{name: name, group: g, atSummary: g.State(summaryState), data: data, texts: DefaultTexts}
}

// Field adds a question: name identifies it (a state name: no ':', '*',
// and not starting with '_'), prompt is what the user is asked, in is
// made with Into.
func (f *Form[T]) Field(name, prompt string, in Input[T], opts ...FieldOption) *Form[T] {
	f.mustNotBeRegistered()
	if strings.HasPrefix(name, "_") {
		panic(fmt.Sprintf("form %q: field name %q must not start with '_'", f.name, name))
	}
	state := f.group.State(name) // panics on a bad name
	if slices.ContainsFunc(f.fields, func(fl *field[T]) bool { return fl.name == name }) {
		panic(fmt.Sprintf("form %q: two fields named %q", f.name, name))
	}
	if in.apply == nil {
		panic(fmt.Sprintf("form %q: field %q: make its Input with form.Into", f.name, name))
	}
	var o fieldOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.label == "" {
		o.label = name
	}
	f.fields = append(f.fields, &field[T]{name: name, prompt: prompt, label: o.label, state: state, optional: o.optional, Input: in})
	return f
}

// Text adds a free-text question (1 to 4096 characters); it is Field with
// Into(Text(1, 4096), set).
func (f *Form[T]) Text(name, prompt string, set func(t *T, v string) error, opts ...FieldOption) *Form[T] {
	return f.Field(name, prompt, Into(Text(1, 4096), set), opts...)
}

// Summary sets the text of the summary shown after the last question,
// above the Confirm and Edit buttons. The default lists each field's
// label and answer.
func (f *Form[T]) Summary(fn func(result T) string) *Form[T] {
	f.mustNotBeRegistered()
	f.summary = fn
	return f
}

// OnDone sets what happens when the user confirms: fn receives the typed
// result. The form's state is cleared before fn runs, so fn may start
// another form or enter a scene; if fn fails, the form returns to its
// summary (unless fn moved the conversation elsewhere) so that the user
// can confirm again, and the error goes to the router's error path.
func (f *Form[T]) OnDone(fn func(c *herald.Context, result T) error) *Form[T] {
	f.mustNotBeRegistered()
	f.done = fn
	return f
}

// OnCancel sets what happens after the user cancels and the form's state
// is cleared; the default replies Texts.Cancelled.
func (f *Form[T]) OnCancel(fn func(c *herald.Context) error) *Form[T] {
	f.mustNotBeRegistered()
	f.onCancelFn = fn
	return f
}

// Texts replaces the form's words; empty fields keep their defaults.
func (f *Form[T]) Texts(t Texts) *Form[T] {
	f.mustNotBeRegistered()
	f.texts = t.withDefaults()
	return f
}

// Name returns the form's name.
func (f *Form[T]) Name() string { return f.name }

// Group returns the form's state group: herald.InState(f.Group().Any())
// matches users in the middle of the form.
func (f *Form[T]) Group() fsm.Group { return f.group }

// Register adds the form's handlers to r, in a router of their own. They
// match only updates of users in the form's states, and the form's
// buttons (a button of a finished form is answered, not ignored).
// Commands other than /back, /skip and /cancel pass through to r's other
// handlers. Register panics if the form is incomplete (no field, no
// OnDone) or registered twice.
func (f *Form[T]) Register(r *herald.Router) {
	if len(f.fields) == 0 || f.done == nil {
		panic(fmt.Sprintf("form %q: a form needs at least one field and OnDone", f.name))
	}
	if err := f.checkButtonSize(); err != nil {
		panic(fmt.Sprintf("form %q: %v", f.name, err))
	}
	if !f.prepared.CompareAndSwap(false, true) {
		panic(fmt.Sprintf("form %q: registered twice", f.name))
	}
	fr := herald.NewRouter("form " + f.name)
	inForm := herald.InState(f.group.Any())
	fr.Command("back", f.atStep(f.back), inForm)
	fr.Command("skip", f.atStep(f.skip), inForm)
	fr.Command("cancel", f.atStep(f.onCancel), inForm)
	fr.Message(f.atStep(f.onText), inForm, herald.Not(isCommand))
	fr.CallbackQuery(f.onButton, f.data.Filter())
	r.Include(fr)
}

func (f *Form[T]) mustNotBeRegistered() {
	if f.prepared.Load() {
		panic(fmt.Sprintf("form %q: changed after Register", f.name))
	}
}

// isCommand matches messages that start with a bot command.
func isCommand(c *herald.Context) bool {
	m := c.Message()
	return m != nil && slices.ContainsFunc(m.Entities, func(e tg.MessageEntity) bool {
		return e.Type == "bot_command" && e.Offset == 0
	})
}
