package keyboard

import (
	"fmt"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/tg"
)

// Callback is a button that sends data back to the bot as a callback
// query. Prefer Typed for data made with herald.CallbackData.
func Callback(text, data string) tg.InlineKeyboardButton {
	return tg.InlineKeyboardButton{Text: text, CallbackData: data}
}

// Typed is a button whose callback data is v packed by cd; the handler
// registered with cd.Filter() receives v. It fails when v does not pack
// (too long, invalid UTF-8).
func Typed[T any](cd *herald.CallbackData[T], text string, v T) (tg.InlineKeyboardButton, error) {
	data, err := cd.Pack(v)
	if err != nil {
		return tg.InlineKeyboardButton{}, fmt.Errorf("keyboard: button %q: %w", text, err)
	}
	return Callback(text, data), nil
}

// URL is a button that opens url.
func URL(text, url string) tg.InlineKeyboardButton {
	return tg.InlineKeyboardButton{Text: text, URL: url}
}

// WebApp is a button that opens the Mini App at url (an HTTPS URL).
func WebApp(text, url string) tg.InlineKeyboardButton {
	return tg.InlineKeyboardButton{Text: text, WebApp: &tg.WebAppInfo{URL: url}}
}

// CopyText is a button that copies s to the clipboard.
func CopyText(text, s string) tg.InlineKeyboardButton {
	return tg.InlineKeyboardButton{Text: text, CopyText: &tg.CopyTextButton{Text: s}}
}

// SwitchInline is a button that lets the user pick a chat and starts an
// inline query of the bot there with query.
func SwitchInline(text, query string) tg.InlineKeyboardButton {
	return tg.InlineKeyboardButton{Text: text, SwitchInlineQuery: query}
}

// Inline builds an inline keyboard. The zero value is an empty keyboard;
// the first error (from Adjust or AddErr) is kept and returned by Markup.
type Inline struct {
	rows [][]tg.InlineKeyboardButton
	err  error
}

// Row appends one row of buttons (an empty call adds nothing).
func (k *Inline) Row(buttons ...tg.InlineKeyboardButton) *Inline {
	if len(buttons) > 0 {
		k.rows = append(k.rows, buttons)
	}
	return k
}

// Adjust appends buttons laid out by the package's Adjust.
func (k *Inline) Adjust(buttons []tg.InlineKeyboardButton, sizes ...int) *Inline {
	rows, err := Adjust(buttons, sizes...)
	k.rows = append(k.rows, rows...)
	return k.keep(err)
}

// AddErr records err (from Typed, say) to be returned by Markup, so that
// a keyboard can be built in one chain and checked once.
func (k *Inline) AddErr(err error) *Inline { return k.keep(err) }

func (k *Inline) keep(err error) *Inline {
	if k.err == nil {
		k.err = err
	}
	return k
}

// Markup returns the keyboard, or the first error, or an error wrapping
// ErrInvalid when Telegram would refuse it.
func (k *Inline) Markup() (*tg.InlineKeyboardMarkup, error) {
	if k.err != nil {
		return nil, k.err
	}
	total := 0
	for _, row := range k.rows {
		for _, b := range row {
			total++
			if err := checkInline(b); err != nil {
				return nil, err
			}
		}
	}
	if total > MaxButtons {
		return nil, fmt.Errorf("%w: %d buttons, at most %d", ErrInvalid, total, MaxButtons)
	}
	rows := make([][]tg.InlineKeyboardButton, len(k.rows))
	for i, r := range k.rows {
		rows[i] = append([]tg.InlineKeyboardButton(nil), r...)
	}
	return &tg.InlineKeyboardMarkup{InlineKeyboard: rows}, nil
}

// checkInline checks that b has a text and exactly one action.
func checkInline(b tg.InlineKeyboardButton) error {
	if b.Text == "" {
		return fmt.Errorf("%w: an inline button without text", ErrInvalid)
	}
	actions := 0
	for _, set := range []bool{
		b.URL != "", b.CallbackData != "", b.WebApp != nil, b.LoginURL != nil, b.SwitchInlineQuery != "",
		b.SwitchInlineQueryCurrentChat != "", b.SwitchInlineQueryChosenChat != nil, b.CopyText != nil,
		b.CallbackGame != nil, b.Pay,
	} {
		if set {
			actions++
		}
	}
	if actions != 1 {
		return fmt.Errorf("%w: inline button %q has %d actions, want exactly one", ErrInvalid, b.Text, actions)
	}
	if len(b.CallbackData) > herald.MaxCallbackData {
		return fmt.Errorf("%w: inline button %q: callback data of %d bytes, at most %d", ErrInvalid, b.Text, len(b.CallbackData), herald.MaxCallbackData)
	}
	return nil
}
