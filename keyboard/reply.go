package keyboard

import (
	"fmt"
	"unicode/utf8"

	"github.com/heraldbot/herald/tg"
)

// Button is a reply-keyboard button that sends its text.
func Button(text string) tg.KeyboardButton { return tg.KeyboardButton{Text: text} }

// Contact is a reply-keyboard button that sends the user's phone number.
func Contact(text string) tg.KeyboardButton {
	return tg.KeyboardButton{Text: text, RequestContact: true}
}

// Location is a reply-keyboard button that sends the user's location.
func Location(text string) tg.KeyboardButton {
	return tg.KeyboardButton{Text: text, RequestLocation: true}
}

// Remove is the reply markup that hides the reply keyboard.
func Remove() *tg.ReplyKeyboardRemove { return &tg.ReplyKeyboardRemove{RemoveKeyboard: true} }

// Reply builds a reply keyboard. The zero value is an empty keyboard.
type Reply struct {
	rows [][]tg.KeyboardButton
	mk   tg.ReplyKeyboardMarkup
	err  error
}

// Row appends one row of buttons (an empty call adds nothing).
func (k *Reply) Row(buttons ...tg.KeyboardButton) *Reply {
	if len(buttons) > 0 {
		k.rows = append(k.rows, buttons)
	}
	return k
}

// Adjust appends buttons laid out by the package's Adjust.
func (k *Reply) Adjust(buttons []tg.KeyboardButton, sizes ...int) *Reply {
	rows, err := Adjust(buttons, sizes...)
	k.rows = append(k.rows, rows...)
	if k.err == nil {
		k.err = err
	}
	return k
}

// Resize asks clients to fit the keyboard's height to its rows.
func (k *Reply) Resize() *Reply { k.mk.ResizeKeyboard = true; return k }

// OneTime asks clients to hide the keyboard once a button is used.
func (k *Reply) OneTime() *Reply { k.mk.OneTimeKeyboard = true; return k }

// Persistent keeps the keyboard shown while the system keyboard is hidden.
func (k *Reply) Persistent() *Reply { k.mk.IsPersistent = true; return k }

// Selective shows the keyboard only to the users the message mentions or
// replies to.
func (k *Reply) Selective() *Reply { k.mk.Selective = true; return k }

// Placeholder sets the text shown in the input field (1–64 characters).
func (k *Reply) Placeholder(s string) *Reply { k.mk.InputFieldPlaceholder = s; return k }

// Markup returns the keyboard, or the first error, or an error wrapping
// ErrInvalid when Telegram would refuse it.
func (k *Reply) Markup() (*tg.ReplyKeyboardMarkup, error) {
	if k.err != nil {
		return nil, k.err
	}
	if len(k.rows) == 0 {
		return nil, fmt.Errorf("%w: a reply keyboard without buttons", ErrInvalid)
	}
	if n := utf8.RuneCountInString(k.mk.InputFieldPlaceholder); n > 64 {
		return nil, fmt.Errorf("%w: placeholder of %d characters, at most 64", ErrInvalid, n)
	}
	mk := k.mk
	mk.Keyboard = make([][]tg.KeyboardButton, len(k.rows))
	for i, r := range k.rows {
		for _, b := range r {
			if b.Text == "" {
				return nil, fmt.Errorf("%w: a reply button without text", ErrInvalid)
			}
		}
		mk.Keyboard[i] = append([]tg.KeyboardButton(nil), r...)
	}
	return &mk, nil
}
