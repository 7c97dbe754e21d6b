package emulator

import (
	"slices"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/heraldbot/herald/tg"
)

// message is one message of a chat transcript.
type message struct {
	m       *tg.Message    // current content, as Telegram would send it
	markup  jsontext.Value // reply_markup as sent: inline or reply keyboard
	fromBot bool
	deleted bool
	// inlineID is the inline_message_id of a message sent via the bot.
	inlineID string
	// invoice is the invoice an invoice message shows.
	invoice *invoiceContent
	// reactions are the emoji each user (or the bot, by its id) reacted
	// with; reactors keeps who reacted first first.
	reactions map[int64][]string
	reactors  []int64
}

// Entry is one message of a chat transcript, as GET
// /control/chats/{chat_id}/messages and the event stream show it.
type Entry struct {
	MessageID int64 `json:"message_id"`
	// EphemeralMessageID is set, and MessageID 0, for an ephemeral
	// message: one only Receiver sees.
	EphemeralMessageID int64    `json:"ephemeral_message_id,omitzero"`
	Receiver           *tg.User `json:"receiver_user,omitzero"`
	Date               int64    `json:"date"`
	// Sender is "bot" for the bot's messages, "user" for a user's and
	// "chat" for a channel post.
	Sender string   `json:"sender"`
	From   *tg.User `json:"from,omitzero"`
	// ViaBot is the bot a user's message was sent through (inline mode),
	// and InlineMessageID the message's inline_message_id.
	ViaBot           *tg.User `json:"via_bot,omitzero"`
	InlineMessageID  string   `json:"inline_message_id,omitzero"`
	MessageThreadID  int64    `json:"message_thread_id,omitzero"`
	ReplyToMessageID int64    `json:"reply_to_message_id,omitzero"`
	// ReplyToEphemeralMessageID is set for a reply to an ephemeral message.
	ReplyToEphemeralMessageID int64              `json:"reply_to_ephemeral_message_id,omitzero"`
	Forwarded                 bool               `json:"forwarded,omitzero"`
	Text                      string             `json:"text,omitzero"`
	Caption                   string             `json:"caption,omitzero"`
	Entities                  []tg.MessageEntity `json:"entities,omitzero"`
	Photo                     []tg.PhotoSize     `json:"photo,omitzero"`
	Document                  *tg.Document       `json:"document,omitzero"`
	MediaGroupID              string             `json:"media_group_id,omitzero"`
	// Invoice is set for an invoice; SuccessfulPayment and
	// RefundedPayment for the service messages of a payment.
	Invoice           *tg.Invoice           `json:"invoice,omitzero"`
	SuccessfulPayment *tg.SuccessfulPayment `json:"successful_payment,omitzero"`
	RefundedPayment   *tg.RefundedPayment   `json:"refunded_payment,omitzero"`
	// ReplyMarkup is the keyboard as the bot sent it: an inline keyboard,
	// a reply keyboard, a keyboard removal or a force reply.
	ReplyMarkup jsontext.Value `json:"reply_markup,omitzero"`
	EditDate    int64          `json:"edit_date,omitzero"`
	Deleted     bool           `json:"deleted"`
	Pinned      bool           `json:"pinned,omitzero"`
	// BusinessConnectionID is set in the chats of a business account (see
	// BusinessTranscript); SenderBusinessBot is the bot that sent a
	// message on the account's behalf (From is then the account's owner).
	BusinessConnectionID string   `json:"business_connection_id,omitzero"`
	SenderBusinessBot    *tg.User `json:"sender_business_bot,omitzero"`
	// NewChatMembers and LeftChatMember mark a service message: From
	// added (or, when it is the member, joined) or removed (left).
	NewChatMembers []tg.User `json:"new_chat_members,omitzero"`
	LeftChatMember *tg.User  `json:"left_chat_member,omitzero"`
	// Reactions are the message's reactions by emoji.
	Reactions []ReactionCount `json:"reactions,omitzero"`
}

func (c *chat) entry(m *message) Entry {
	msg := m.m
	e := Entry{
		MessageID:          msg.MessageID,
		EphemeralMessageID: msg.EphemeralMessageID,
		Receiver:           msg.ReceiverUser,
		Date:               msg.Date,
		From:               msg.From,
		ViaBot:             msg.ViaBot,
		InlineMessageID:    m.inlineID,
		MessageThreadID:    msg.MessageThreadID,
		Forwarded:          msg.ForwardOrigin != nil,
		Text:               msg.Text,
		Caption:            msg.Caption,
		Entities:           msg.Entities,
		Photo:              msg.Photo,
		Document:           msg.Document,
		MediaGroupID:       msg.MediaGroupID,
		Invoice:            msg.Invoice,
		SuccessfulPayment:  msg.SuccessfulPayment,
		RefundedPayment:    msg.RefundedPayment,
		ReplyMarkup:        m.markup,
		EditDate:           msg.EditDate,
		Deleted:            m.deleted,

		BusinessConnectionID: msg.BusinessConnectionID,
		SenderBusinessBot:    msg.SenderBusinessBot,
		NewChatMembers:       msg.NewChatMembers,
		LeftChatMember:       msg.LeftChatMember,
		Reactions:            m.reactionCounts(),
	}
	if len(e.Entities) == 0 {
		e.Entities = msg.CaptionEntities
	}
	switch {
	case m.fromBot:
		e.Sender = "bot"
	case msg.From == nil:
		e.Sender = "chat"
	default:
		e.Sender = "user"
	}
	if msg.ReplyToMessage != nil {
		e.ReplyToMessageID = msg.ReplyToMessage.MessageID
		e.ReplyToEphemeralMessageID = msg.ReplyToMessage.EphemeralMessageID
	}
	e.Pinned = slices.Contains(c.pinned, msg.MessageID)
	return e
}

// Transcript returns the messages of a chat of the bot of token, oldest
// first, deleted ones included (marked). It keeps at most
// Options.MaxMessagesPerChat messages.
func (e *Emulator) Transcript(token string, chatID int64) ([]Entry, error) {
	b, err := e.knownBot(token)
	if err != nil {
		return nil, controlErr(err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.chats[chatID].transcript()
}

// transcript returns the entries of c's messages, or a chat-not-found
// error when c is nil.
func (c *chat) transcript() ([]Entry, error) {
	if c == nil {
		return nil, controlErr(errChatNotFound)
	}
	out := make([]Entry, len(c.msgs))
	for i, m := range c.msgs {
		out[i] = c.entry(m)
	}
	return out, nil
}

// replySnapshot returns a copy of m for reply_to_message, without its own
// reply (Telegram does not nest them).
func replySnapshot(m *tg.Message) *tg.Message {
	cp := *m
	cp.ReplyToMessage = nil
	return &cp
}
