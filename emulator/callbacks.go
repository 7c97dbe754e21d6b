package emulator

import (
	"context"
	"iter"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/heraldbot/herald/tg"
)

// CallbackExpiry is how long a bot has to answer a callback query.
const CallbackExpiry = 150 * time.Second

// callbackState is a pressed button waiting for answerCallbackQuery.
type callbackState struct {
	created time.Time
	chatID  int64
	answer  *CallbackAnswer
}

// CallbackAnswer is what the bot answered to a button press.
type CallbackAnswer struct {
	CallbackQueryID string `json:"callback_query_id"`
	Text            string `json:"text,omitzero"`
	ShowAlert       bool   `json:"show_alert,omitzero"`
	URL             string `json:"url,omitzero"`
	CacheTime       int64  `json:"cache_time,omitzero"`
}

func answerCallbackQuery(c *call) (any, *apiError) {
	id := c.p.str("callback_query_id")
	text := c.p.str("text")
	if utf8.RuneCountInString(text) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	b := c.b
	now := time.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pruneCallbacksLocked(now)
	st := b.callbacks[id]
	if st == nil || st.answer != nil || now.Sub(st.created) > CallbackExpiry {
		return nil, errQueryTooOld
	}
	st.answer = &CallbackAnswer{
		CallbackQueryID: id, Text: text, ShowAlert: c.p.bool("show_alert"), URL: c.p.str("url"), CacheTime: c.p.int("cache_time"),
	}
	ans := *st.answer
	b.emitLocked(Event{Type: "callback_answer", ChatID: st.chatID, CallbackAnswer: &ans})
	return true, nil
}

// pruneCallbacksLocked forgets expired queries once there are many.
func (b *bot) pruneCallbacksLocked(now time.Time) {
	if len(b.callbacks) < 1024 {
		return
	}
	for id, st := range b.callbacks {
		if now.Sub(st.created) > CallbackExpiry {
			delete(b.callbacks, id)
		}
	}
}

// ButtonPress is a user pressing an inline button (see PressButton).
type ButtonPress struct {
	// Token is the bot's token.
	Token string `json:"token"`
	// From is the user who presses; at least ID is needed.
	From tg.User `json:"from"`
	// ChatID and MessageID name the message that has the button: the
	// bot's, or one sent via the bot (inline mode), which InlineMessageID
	// may name instead.
	ChatID          int64  `json:"chat_id,omitzero"`
	MessageID       int64  `json:"message_id,omitzero"`
	InlineMessageID string `json:"inline_message_id,omitzero"`
	// Data is the button's callback_data.
	Data string `json:"data"`
}

// Pressed is the result of PressButton.
type Pressed struct {
	UpdateID        int64  `json:"update_id"`
	CallbackQueryID string `json:"callback_query_id"`
}

// PressButton makes a user press the inline button with callback_data
// Data on a message, queuing a callback_query update. It fails if the
// message has no such button. The bot must answer within CallbackExpiry.
func (e *Emulator) PressButton(ctx context.Context, p ButtonPress) (Pressed, error) {
	b, err := e.actionBot(ctx, p.Token, p.From)
	if err != nil {
		return Pressed{}, err
	}
	from := e.touchUser(p.From)
	now := time.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	ch, m, err := b.pressedMessageLocked(p)
	if err != nil {
		return Pressed{}, err
	}
	if !hasCallbackButton(m.m.ReplyMarkup, p.Data) {
		return Pressed{}, controlErrorf("message %d has no inline button with callback_data %q", m.m.MessageID, p.Data)
	}
	b.pruneCallbacksLocked(now)
	b.cbSeq++
	id := strconv.FormatInt(b.id, 10) + strconv.FormatInt(b.cbSeq, 10) + strconv.FormatInt(now.UnixNano()%1000003, 10)
	b.callbacks[id] = &callbackState{created: now, chatID: ch.info.ID}
	q := &tg.CallbackQuery{ID: id, From: from, ChatInstance: strconv.FormatInt(ch.info.ID^b.id, 10), Data: p.Data}
	if m.inlineID != "" {
		// A button of a message sent via the bot names it by
		// inline_message_id only: the bot may not be in that chat.
		q.InlineMessageID = m.inlineID
	} else {
		msg := *m.m
		q.Message = &msg
	}
	uid := b.enqueueLocked("callback_query", ch.info.ID, func(u *tg.Update) { u.CallbackQuery = q })
	return Pressed{UpdateID: uid, CallbackQueryID: id}, nil
}

// pressedMessageLocked finds the message a press names.
func (b *bot) pressedMessageLocked(p ButtonPress) (*chat, *message, error) {
	if p.InlineMessageID != "" {
		ch, m, aerr := b.inlineMessageLocked(p.InlineMessageID)
		if aerr != nil {
			return nil, nil, controlErrorf("no message with inline_message_id %q", p.InlineMessageID)
		}
		return ch, m, nil
	}
	ch := b.chats[p.ChatID]
	if ch == nil {
		return nil, nil, controlErr(errChatNotFound)
	}
	m := ch.live(p.MessageID)
	if m == nil {
		return nil, nil, controlErrorf("message %d not found in chat %d", p.MessageID, p.ChatID)
	}
	return ch, m, nil
}

// CallbackAnswer returns the bot's answer to a callback query, if any.
func (e *Emulator) CallbackAnswer(token, callbackQueryID string) (CallbackAnswer, bool) {
	b, aerr := e.knownBot(token)
	if aerr != nil {
		return CallbackAnswer{}, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.callbacks[callbackQueryID]
	if st == nil || st.answer == nil {
		return CallbackAnswer{}, false
	}
	return *st.answer, true
}

func hasCallbackButton(mk *tg.InlineKeyboardMarkup, data string) bool {
	for d := range callbackData(mk) {
		if d == data {
			return true
		}
	}
	return false
}

// callbackData yields the callback_data of mk's buttons that have one.
func callbackData(mk *tg.InlineKeyboardMarkup) iter.Seq[string] {
	return func(yield func(string) bool) {
		if mk == nil {
			return
		}
		for _, row := range mk.InlineKeyboard {
			for _, btn := range row {
				if btn.CallbackData != "" && !yield(btn.CallbackData) {
					return
				}
			}
		}
	}
}
