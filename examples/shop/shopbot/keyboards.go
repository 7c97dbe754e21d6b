package shopbot

import (
	"errors"
	"net/http"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/tg"
)

// Callback data of the shop's buttons, typed (see herald.CallbackData).
type (
	pageArgs struct{ Page int } // show a catalog page
	addArgs  struct {           // add a product, from a page
		ID   int64
		Page int
	}
	cartArgs struct { // act on the cart: "show", "rm" (ID), "clear", "checkout"
		Act string
		ID  int64
	}
	menuArgs struct{ Go string } // "catalog", "cart", "orders"
)

var (
	pageData = herald.MustCallbackData[pageArgs]("page")
	addData  = herald.MustCallbackData[addArgs]("add")
	cartData = herald.MustCallbackData[cartArgs]("cart")
	menuData = herald.MustCallbackData[menuArgs]("menu")
)

// button packs v into an inline button. The shop's data is always short,
// so a packing error is a programming error.
func button[T any](text string, cd *herald.CallbackData[T], v T) tg.InlineKeyboardButton {
	data, err := cd.Pack(v)
	if err != nil {
		panic(err)
	}
	return tg.InlineKeyboardButton{Text: text, CallbackData: data}
}

func keyboard(rows ...[]tg.InlineKeyboardButton) *tg.InlineKeyboardMarkup {
	var out [][]tg.InlineKeyboardButton
	for _, r := range rows {
		if len(r) > 0 {
			out = append(out, r)
		}
	}
	return &tg.InlineKeyboardMarkup{InlineKeyboard: out}
}

func row(b ...tg.InlineKeyboardButton) []tg.InlineKeyboardButton { return b }

func menuKeyboard() *tg.InlineKeyboardMarkup {
	return keyboard(row(
		button("🛍 Catalog", menuData, menuArgs{"catalog"}),
		button("🛒 Cart", menuData, menuArgs{"cart"}),
		button("📦 Orders", menuData, menuArgs{"orders"}),
	))
}

// textWith is a message with an inline keyboard.
func textWith(text string, kb *tg.InlineKeyboardMarkup) tg.SendMessageParams {
	return tg.SendMessageParams{Text: text, ReplyMarkup: kb}
}

// show replies with a new message, or edits the message whose button
// was pressed when edit is set. An edit that changes nothing (a button
// under an old message whose view is still current) is not an error,
// though Telegram refuses it.
func show(c *herald.Context, edit bool, text string, kb *tg.InlineKeyboardMarkup) error {
	if edit && c.Message() != nil {
		if err := c.Edit(text, kb); err != nil && !notModified(err) {
			return err
		}
		return nil
	}
	_, err := c.ReplyWith(textWith(text, kb))
	return err
}

// notModified reports Telegram's refusal of an edit that would leave the
// message as it is.
func notModified(err error) bool {
	e, ok := errors.AsType[*tg.Error](err)
	return ok && e.Code == http.StatusBadRequest && strings.Contains(e.Description, "message is not modified")
}
