package business

import (
	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/tg"
)

// Target is where an answer to an update goes: the chat, and the business
// connection, forum topic and direct-messages topic the update's message
// came through (zero when it did not).
type Target struct {
	ChatID                tg.ChatID
	BusinessConnectionID  string
	MessageThreadID       int64
	DirectMessagesTopicID int64
}

// TargetOf returns where an answer to c's update goes; false when the
// update has no chat.
func TargetOf(c *herald.Context) (Target, bool) {
	chat := c.Chat()
	if chat == nil {
		return Target{}, false
	}
	t := Target{ChatID: tg.ID(chat.ID), BusinessConnectionID: c.BusinessConnectionID()}
	if m := c.Message(); m != nil {
		if m.IsTopicMessage {
			t.MessageThreadID = m.MessageThreadID
		}
		if m.DirectMessagesTopic != nil {
			t.DirectMessagesTopicID = m.DirectMessagesTopic.TopicID
		}
	}
	return t, true
}

// Reply sends text back where c's message came from. It is
// herald.Context.Reply, which fills in the business connection and the
// topics itself; it stays for code written against this package.
func Reply(c *herald.Context, text string) (*tg.Message, error) { return c.Reply(text) }

// ReplyWith is herald.Context.ReplyWith: when p.ChatID is unset, the
// chat, business connection and topics are filled in.
func ReplyWith(c *herald.Context, p tg.SendMessageParams) (*tg.Message, error) {
	return c.ReplyWith(p)
}

// Message fills p's destination when its ChatID is unset.
func (t Target) Message(p tg.SendMessageParams) tg.SendMessageParams {
	if p.ChatID.IsZero() {
		p.ChatID, p.BusinessConnectionID = t.ChatID, t.BusinessConnectionID
		p.MessageThreadID, p.DirectMessagesTopicID = t.MessageThreadID, t.DirectMessagesTopicID
	}
	return p
}

// Photo fills p's destination when its ChatID is unset.
func (t Target) Photo(p tg.SendPhotoParams) tg.SendPhotoParams {
	if p.ChatID.IsZero() {
		p.ChatID, p.BusinessConnectionID = t.ChatID, t.BusinessConnectionID
		p.MessageThreadID, p.DirectMessagesTopicID = t.MessageThreadID, t.DirectMessagesTopicID
	}
	return p
}

// Document fills p's destination when its ChatID is unset.
func (t Target) Document(p tg.SendDocumentParams) tg.SendDocumentParams {
	if p.ChatID.IsZero() {
		p.ChatID, p.BusinessConnectionID = t.ChatID, t.BusinessConnectionID
		p.MessageThreadID, p.DirectMessagesTopicID = t.MessageThreadID, t.DirectMessagesTopicID
	}
	return p
}

// ChatAction returns the parameters of sendChatAction for action
// (sendChatAction has no direct-messages topic).
func (t Target) ChatAction(action string) tg.SendChatActionParams {
	return tg.SendChatActionParams{ChatID: t.ChatID, BusinessConnectionID: t.BusinessConnectionID,
		MessageThreadID: t.MessageThreadID, Action: action}
}

// EditText fills the destination of an edit of message id when p names
// no message: a message the bot sent on behalf of a business account is
// edited through the same connection.
func (t Target) EditText(id int64, p tg.EditMessageTextParams) tg.EditMessageTextParams {
	if p.ChatID.IsZero() && p.InlineMessageID == "" {
		p.ChatID, p.MessageID, p.BusinessConnectionID = t.ChatID, id, t.BusinessConnectionID
	}
	return p
}
