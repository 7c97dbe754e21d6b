package form

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/tg"
)

// show sends the question of step (or the summary), after note if any.
func (f *Form[T]) show(c *herald.Context, step int, p progress[T], note string) error {
	var text string
	var kb *tg.InlineKeyboardMarkup
	var err error
	if step >= len(f.fields) {
		text = f.summaryText(p)
		kb, err = f.summaryKeys(p.Run)
	} else {
		text = f.promptText(step, p)
		kb, err = f.fieldKeys(step, p)
	}
	if err != nil {
		return err
	}
	if note != "" {
		text = note + "\n\n" + text
	}
	_, err = c.ReplyWith(tg.SendMessageParams{Text: text, ReplyMarkup: kb})
	return err
}

// setKeyboard replaces the keyboard of the message whose button was
// pressed; when that message is no longer accessible it sends text with
// the keyboard instead.
func (f *Form[T]) setKeyboard(c *herald.Context, kb *tg.InlineKeyboardMarkup, text string) error {
	m := c.Message()
	if m == nil {
		_, err := c.ReplyWith(tg.SendMessageParams{Text: text, ReplyMarkup: kb})
		return err
	}
	_, err := c.Client().EditMessageReplyMarkup(c, tg.EditMessageReplyMarkupParams{
		ChatID: tg.ID(m.Chat.ID), MessageID: m.MessageID, ReplyMarkup: kb,
	})
	return err
}

func (f *Form[T]) promptText(step int, p progress[T]) string {
	fl := f.fields[step]
	if ans, ok := p.Answers[fl.name]; ok {
		return fl.prompt + "\n\n" + fmt.Sprintf(f.texts.Current, short(ans))
	}
	return fl.prompt
}

func (f *Form[T]) summaryText(p progress[T]) string {
	if f.summary != nil {
		return f.summary(p.Values)
	}
	var b strings.Builder
	for i, fl := range f.fields {
		ans, ok := p.Answers[fl.name]
		if !ok {
			ans = f.texts.Unanswered
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(fl.label)
		b.WriteString(": ")
		b.WriteString(short(ans))
	}
	return b.String()
}

// shownAnswer is the most runes of an answer repeated to the user, so
// that the summary of long answers stays under Telegram's 4096 characters.
const shownAnswer = 100

// short returns s cut to shownAnswer runes.
func short(s string) string {
	if utf8.RuneCountInString(s) <= shownAnswer {
		return s
	}
	return string([]rune(s)[:shownAnswer-1]) + "…"
}

// fieldKeys: the field's choices, then Back (not on the first question
// unless editing), Skip (optional fields) and Cancel.
func (f *Form[T]) fieldKeys(step int, p progress[T]) (*tg.InlineKeyboardMarkup, error) {
	k := keys[T]{f: f, run: p.Run, step: step}
	fl := f.fields[step]
	perRow := 3
	if slices.ContainsFunc(fl.choices, func(l string) bool { return utf8.RuneCountInString(l) > 12 }) {
		perRow = 1
	}
	k.grid(len(fl.choices), perRow, actChoice, func(i int) string { return fl.choices[i] })
	var row []tg.InlineKeyboardButton
	if step > 0 || p.Editing {
		row = append(row, k.button(f.texts.Back, actBack, 0))
	}
	if fl.optional {
		row = append(row, k.button(f.texts.Skip, actSkip, 0))
	}
	k.row(append(row, k.button(f.texts.Cancel, actCancel, 0))...)
	return k.markup()
}

// summaryKeys: Confirm and Edit, then Back and Cancel.
func (f *Form[T]) summaryKeys(run string) (*tg.InlineKeyboardMarkup, error) {
	k := keys[T]{f: f, run: run, step: len(f.fields)}
	k.row(k.button(f.texts.Confirm, actConfirm, 0), k.button(f.texts.Edit, actEdit, 0))
	k.row(k.button(f.texts.Back, actBack, 0), k.button(f.texts.Cancel, actCancel, 0))
	return k.markup()
}

// pickKeys: one button per field, two a row, then Back to the summary.
func (f *Form[T]) pickKeys(run string) (*tg.InlineKeyboardMarkup, error) {
	k := keys[T]{f: f, run: run, step: len(f.fields)}
	k.grid(len(f.fields), 2, actPick, func(i int) string { return f.fields[i].label })
	k.row(k.button(f.texts.Back, actSummary, 0))
	return k.markup()
}

// keys builds an inline keyboard of a form's buttons for one step of a run.
type keys[T any] struct {
	f         *Form[T]
	run       string
	step      int
	rows      [][]tg.InlineKeyboardButton
	packError error
}

func (k *keys[T]) button(label, act string, arg int) tg.InlineKeyboardButton {
	data, err := k.f.data.Pack(button{Act: act, Run: k.run, Step: k.step, Arg: arg})
	if err != nil && k.packError == nil {
		k.packError = err
	}
	return tg.InlineKeyboardButton{Text: label, CallbackData: data}
}

// grid adds n buttons of act, perRow to a row; button i says label(i) and
// carries i as its argument.
func (k *keys[T]) grid(n, perRow int, act string, label func(i int) string) {
	for start := 0; start < n; start += perRow {
		end := min(start+perRow, n)
		row := make([]tg.InlineKeyboardButton, 0, end-start)
		for i := start; i < end; i++ {
			row = append(row, k.button(label(i), act, i))
		}
		k.row(row...)
	}
}

func (k *keys[T]) row(buttons ...tg.InlineKeyboardButton) {
	if len(buttons) > 0 {
		k.rows = append(k.rows, buttons)
	}
}

func (k *keys[T]) markup() (*tg.InlineKeyboardMarkup, error) {
	if k.packError != nil {
		return nil, fmt.Errorf("form %q: %w", k.f.name, k.packError)
	}
	return &tg.InlineKeyboardMarkup{InlineKeyboard: k.rows}, nil
}
