package herald

import (
	"errors"
	"net/http"
	"strings"

	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// ErrNoChat is returned by the reply helpers when the update has no chat.
var ErrNoChat = errors.New("herald: the update has no chat to reply to")

// ErrNoCallback is returned by Answer when the update is not a callback query.
var ErrNoCallback = errors.New("herald: the update is not a callback query")

// ErrNoMessage is returned by Edit and Delete when the update has no message.
var ErrNoMessage = errors.New("herald: the update has no message")

// Reply sends text to the update's chat (and forum topic).
func (c *Context) Reply(text string) (*tg.Message, error) {
	return c.ReplyWith(tg.SendMessageParams{Text: text})
}

// ReplyWith sends a message back where the update came from. When
// p.ChatID is unset it fills in the chat and whichever of these the
// update's message has: the business connection (the answer goes out on
// the business account's behalf, not into the bot's own chat with the
// user), the forum topic and the channel direct-messages topic.
func (c *Context) ReplyWith(p tg.SendMessageParams) (*tg.Message, error) {
	if p.ChatID.IsZero() {
		chat := c.Chat()
		if chat == nil {
			return nil, ErrNoChat
		}
		p.ChatID = tg.ID(chat.ID)
		if p.BusinessConnectionID == "" {
			p.BusinessConnectionID = c.BusinessConnectionID()
		}
		if m := c.Message(); m != nil {
			if m.IsTopicMessage && p.MessageThreadID == 0 {
				p.MessageThreadID = m.MessageThreadID
			}
			if m.DirectMessagesTopic != nil && p.DirectMessagesTopicID == 0 {
				p.DirectMessagesTopicID = m.DirectMessagesTopic.TopicID
			}
		}
	}
	return c.client.SendMessage(c, p)
}

// Answer answers the callback query with an optional notification text.
func (c *Context) Answer(text string) error {
	return c.AnswerWith(tg.AnswerCallbackQueryParams{Text: text})
}

// AnswerWith answers the callback query; CallbackQueryID is filled in.
//
// A query can be answered once, within Telegram's time limit. Telegram's
// 400 "query is too old … or query ID is invalid" is therefore not an
// error here: the query was answered before (the update is being handled
// again after a crash) or its time passed, and in both cases the user's
// client stopped waiting; the handler carries on with its real work.
func (c *Context) AnswerWith(p tg.AnswerCallbackQueryParams) error {
	q := c.Update.CallbackQuery
	if q == nil {
		return ErrNoCallback
	}
	p.CallbackQueryID = q.ID
	_, err := c.client.AnswerCallbackQuery(c, p)
	if queryGone(err) {
		c.bot.log.DebugContext(c, "callback query already answered or expired", "update_id", c.Update.UpdateID, "err", err)
		return nil
	}
	return err
}

// queryGone reports Telegram's answer to a callback query answered
// before or too late.
func queryGone(err error) bool {
	e, ok := errors.AsType[*tg.Error](err)
	return ok && e.Code == http.StatusBadRequest && strings.Contains(e.Description, "query is too old")
}

// Edit replaces the text (and inline keyboard, when markup is not nil) of the
// update's message: the message a callback button belongs to, including
// inline-mode messages.
func (c *Context) Edit(text string, markup *tg.InlineKeyboardMarkup) error {
	p := tg.EditMessageTextParams{Text: text, ReplyMarkup: markup}
	if q := c.Update.CallbackQuery; q != nil && q.InlineMessageID != "" {
		p.InlineMessageID = q.InlineMessageID
	} else {
		m := c.Message()
		if m == nil {
			return ErrNoMessage
		}
		p.ChatID, p.MessageID = tg.ID(m.Chat.ID), m.MessageID
	}
	_, err := c.client.EditMessageText(c, p)
	return err
}

// Delete deletes the update's message.
func (c *Context) Delete() error {
	m := c.Message()
	if m == nil {
		return ErrNoMessage
	}
	_, err := c.client.DeleteMessage(c, tg.DeleteMessageParams{ChatID: tg.ID(m.Chat.ID), MessageID: m.MessageID})
	return err
}

// ReplyInResponse asks for method to be called with params as the answer
// to the update: in inline webhook mode it travels in the HTTP response
// Telegram is waiting for (one request saved); otherwise it is sent with
// the client when the handler returns. Only the last call counts; uploads
// cannot travel in a response and are sent with the client.
func (c *Context) ReplyInResponse(method string, params any) {
	c.response = &source.Reply{Method: method, Params: params}
}
