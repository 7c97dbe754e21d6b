package emulator

import (
	"context"
	"strconv"
	"time"

	"github.com/heraldbot/herald/tg"
)

// inlineRef locates a message sent via the bot by inline_message_id.
type inlineRef struct {
	chatID    int64
	messageID int64
}

// InlineChoice is a user choosing one result of an answered inline query
// (see ChooseInlineResult).
type InlineChoice struct {
	// Token is the bot's token.
	Token string `json:"token"`
	// From is the user who typed the query.
	From tg.User `json:"from"`
	// InlineQueryID names the query; ResultID the result chosen.
	InlineQueryID string `json:"inline_query_id"`
	ResultID      string `json:"result_id"`
}

// Chosen is the result of ChooseInlineResult.
type Chosen struct {
	// UpdateID is the message update of the message posted (0 if the
	// bot's allowed_updates exclude it); ChosenUpdateID the
	// chosen_inline_result update (0 likewise).
	UpdateID       int64 `json:"update_id"`
	ChosenUpdateID int64 `json:"chosen_update_id"`
	ChatID         int64 `json:"chat_id"`
	MessageID      int64 `json:"message_id"`
	// InlineMessageID identifies the message for the bot's edits and for
	// its buttons' callback queries.
	InlineMessageID string `json:"inline_message_id"`
}

// ChooseInlineResult makes the user who typed an inline query choose one
// of the bot's results: the message it describes is posted by the user,
// via the bot, into the chat the query was typed in, and a message update
// and a chosen_inline_result update are queued (each if the bot's
// allowed_updates include it). Results with a text or invoice
// input_message_content and cached photos and documents (a *_file_id of
// the bot) are modelled.
func (e *Emulator) ChooseInlineResult(ctx context.Context, c InlineChoice) (Chosen, error) {
	b, err := e.actionBot(ctx, c.Token, c.From)
	if err != nil {
		return Chosen{}, err
	}
	if e.blockedBy(c.From.ID, b.id) {
		return Chosen{}, controlErrorf("user %d has blocked this bot; unblock it first", c.From.ID)
	}
	now := time.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.inlineQueries[c.InlineQueryID]
	switch {
	case st == nil || st.expired(now):
		return Chosen{}, &Error{Code: 404, Description: "no inline query " + strconv.Quote(c.InlineQueryID) + " (unknown or expired)"}
	case st.query.From.ID != c.From.ID:
		return Chosen{}, controlErrorf("inline query %s was typed by user %d", c.InlineQueryID, st.query.From.ID)
	case st.answer == nil:
		return Chosen{}, controlErrorf("the bot has not answered inline query %s yet", c.InlineQueryID)
	}
	var res *inlineResult
	for i := range st.results {
		if st.results[i].ID == c.ResultID {
			res = &st.results[i]
		}
	}
	if res == nil {
		return Chosen{}, controlErrorf("the answer to inline query %s has no result %q", c.InlineQueryID, c.ResultID)
	}
	from := st.query.From
	ch, err := b.chatForUserLocked(st.chat, from)
	if err != nil {
		return Chosen{}, err
	}
	via := b.me()
	msg := &tg.Message{Date: now.Unix(), Chat: ch.info, ViaBot: &via}
	ch.setSender(msg, from)
	switch {
	case res.text != "":
		msg.Text, msg.Entities = res.text, res.entities
	case res.invoice != nil:
		msg.Invoice = res.invoice.invoice()
	case res.fileID != "" && (res.Type == "photo" || res.Type == "document"):
		f, aerr := b.fileLocked(res.fileID, res.Type, errInvalidFileID)
		if aerr != nil {
			return Chosen{}, controlErr(aerr)
		}
		attach(msg, f)
		msg.Caption = res.caption
	default:
		return Chosen{}, controlErrorf("choosing a %s result without a text or invoice input_message_content is not modelled by the emulator", res.Type)
	}
	msg.MessageID = ch.newMessageID()
	b.inlineMsgSeq++
	inlineID := "emu" + strconv.FormatInt(b.id, 10) + "_" + strconv.FormatInt(b.inlineMsgSeq, 10)
	b.inlineMsgs[inlineID] = inlineRef{chatID: ch.info.ID, messageID: msg.MessageID}
	stored := &message{m: msg, inlineID: inlineID, invoice: res.invoice}
	if res.markup.inline != nil {
		msg.ReplyMarkup, stored.markup = res.markup.inline, res.markup.raw
	}
	b.storeLocked(ch, stored)

	out := Chosen{ChatID: ch.info.ID, MessageID: msg.MessageID, InlineMessageID: inlineID}
	snapshot := *msg
	out.UpdateID = b.enqueueLocked("message", ch.info.ID, func(u *tg.Update) { u.Message = &snapshot })
	chosen := tg.ChosenInlineResult{ResultID: res.ID, From: from, Query: st.query.Query}
	if msg.ReplyMarkup != nil {
		// Telegram names the message only when it has an inline keyboard.
		chosen.InlineMessageID = inlineID
	}
	out.ChosenUpdateID = b.enqueueLocked("chosen_inline_result", from.ID, func(u *tg.Update) { u.ChosenInlineResult = &chosen })
	return out, nil
}

// inlineMessageLocked finds a live message by inline_message_id.
func (b *bot) inlineMessageLocked(id string) (*chat, *message, *apiError) {
	ref, ok := b.inlineMsgs[id]
	if !ok {
		return nil, nil, errMessageIDInvalid
	}
	ch := b.chats[ref.chatID]
	if ch == nil {
		return nil, nil, errMessageIDInvalid
	}
	m := ch.live(ref.messageID)
	if m == nil {
		return nil, nil, errMessageIDInvalid
	}
	return ch, m, nil
}
