package shopbot

import (
	"errors"
	"net/http"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/format"
	"github.com/heraldbot/herald/i18n"
	"github.com/heraldbot/herald/keyboard"
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

// buttons collects typed buttons for a keyboard.Inline, keeping the first
// packing error for Markup to return.
type buttons struct{ kb keyboard.Inline }

// add appends a typed button to the row being built.
func add[T any](b *buttons, row *[]tg.InlineKeyboardButton, cd *herald.CallbackData[T], text string, v T) {
	btn, err := keyboard.Typed(cd, text, v)
	b.kb.AddErr(err)
	*row = append(*row, btn)
}

// menuKeyboard is the main menu: catalog, cart, orders.
func menuKeyboard(l *i18n.Localizer) (*tg.InlineKeyboardMarkup, error) {
	var b buttons
	var row []tg.InlineKeyboardButton
	add(&b, &row, menuData, l.T("menu.catalog", nil), menuArgs{"catalog"})
	add(&b, &row, menuData, l.T("menu.cart", nil), menuArgs{"cart"})
	add(&b, &row, menuData, l.T("menu.orders", nil), menuArgs{"orders"})
	return b.kb.Row(row...).Markup()
}

// plain is a message without formatting.
func plain(text string) format.Message { return format.Message{Text: text} }

// reply sends m with the keyboard kb (nil: none).
func reply(c *herald.Context, m format.Message, kb *tg.InlineKeyboardMarkup) error {
	p := tg.SendMessageParams{Text: m.Text, Entities: m.Entities}
	if kb != nil {
		p.ReplyMarkup = kb
	}
	_, err := c.ReplyWith(p)
	return err
}

// replyMenu sends m with the main menu.
func replyMenu(c *herald.Context, l *i18n.Localizer, m format.Message) error {
	kb, err := menuKeyboard(l)
	if err != nil {
		return err
	}
	return reply(c, m, kb)
}

// show replies with a new message, or edits the message whose button
// was pressed when edit is set. An edit that changes nothing (a button
// under an old message whose view is still current) is not an error,
// though Telegram refuses it.
func show(c *herald.Context, edit bool, m format.Message, kb *tg.InlineKeyboardMarkup) error {
	if msg := c.Message(); edit && msg != nil {
		_, err := c.Client().EditMessageText(c, tg.EditMessageTextParams{
			ChatID: tg.ID(msg.Chat.ID), MessageID: msg.MessageID,
			Text: m.Text, Entities: m.Entities, ReplyMarkup: kb,
		})
		if err != nil && !notModified(err) {
			return err
		}
		return nil
	}
	return reply(c, m, kb)
}

// notModified reports Telegram's refusal of an edit that would leave the
// message as it is.
func notModified(err error) bool {
	e, ok := errors.AsType[*tg.Error](err)
	return ok && e.Code == http.StatusBadRequest && strings.Contains(e.Description, "message is not modified")
}
