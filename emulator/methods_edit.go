package emulator

import (
	"bytes"
	"slices"
	"time"

	"github.com/heraldbot/herald/tg"
)

// editTargetLocked finds the bot's message that an edit method names: by
// chat_id and message_id, or, for the methods that edit an ephemeral
// message, by chat_id, receiver_user_id and ephemeral_message_id.
func (c *call) editTargetLocked() (*chat, *message, *apiError) {
	if c.takes("ephemeral_message_id") {
		ch, aerr := c.chatLocked()
		if aerr != nil {
			return nil, nil, aerr
		}
		m := ch.liveEphemeral(c.p.int("ephemeral_message_id"), c.p.int("receiver_user_id"))
		if m == nil {
			return nil, nil, errEditNotFound
		}
		return ch, m, nil
	}
	if c.p.has("inline_message_id") && !c.p.has("chat_id") {
		return c.b.inlineMessageLocked(c.p.str("inline_message_id"))
	}
	if !c.p.has("chat_id") {
		return nil, nil, errChatIDEmpty
	}
	if !c.p.has("message_id") {
		return nil, nil, badRequest("message identifier is not specified")
	}
	ch, aerr := c.chatLocked()
	if aerr != nil {
		return nil, nil, aerr
	}
	m := ch.live(c.p.int("message_id"))
	if m == nil {
		return nil, nil, errEditNotFound
	}
	if !m.fromBot {
		return nil, nil, errCantEdit
	}
	return ch, m, nil
}

// editMarkup returns the keyboard after an edit: the one given, or none,
// since Telegram removes an inline keyboard the edit does not repeat.
func (c *call) editMarkup() (markup, *apiError) {
	mk, ok, aerr := c.parseMarkup()
	if aerr != nil {
		return markup{}, aerr
	}
	if ok && mk.inline == nil {
		return markup{}, badRequest("reply markup of an edited message must be an inline keyboard")
	}
	if mk.inline != nil && len(mk.inline.InlineKeyboard) == 0 {
		mk = markup{}
	}
	return mk, nil
}

func sameEntities(a, b []tg.MessageEntity) bool {
	return slices.EqualFunc(a, b, func(x, y tg.MessageEntity) bool {
		return x.Type == y.Type && x.Offset == y.Offset && x.Length == y.Length && x.URL == y.URL
	})
}

func editMessageText(c *call) (any, *apiError) {
	return editMessage(c, c.text, func(m *tg.Message) (*string, *[]tg.MessageEntity, *apiError) {
		if m.Text == "" {
			return nil, nil, errNoTextToEdit
		}
		return &m.Text, &m.Entities, nil
	})
}

func editMessageCaption(c *call) (any, *apiError) {
	return editMessage(c, c.caption, func(m *tg.Message) (*string, *[]tg.MessageEntity, *apiError) {
		if m.Text != "" {
			return nil, nil, errNoCaptionToEdit
		}
		return &m.Caption, &m.CaptionEntities, nil
	})
}

func editMessageReplyMarkup(c *call) (any, *apiError) { return editMessage(c, nil, nil) }

// The edits of an ephemeral message are those of a message, answered with
// true (editEphemeralMessageMedia is editMessageMedia).
var (
	editEphemeralMessageText        = editMessageText
	editEphemeralMessageCaption     = editMessageCaption
	editEphemeralMessageReplyMarkup = editMessageReplyMarkup
)

// edited is the result of an edit: the message, or true for an ephemeral
// one or one named by inline_message_id.
func (c *call) edited(m *message) any {
	if m.m.EphemeralMessageID != 0 || m.inlineID != "" && !c.p.has("chat_id") {
		return true
	}
	return m.m
}

// editMessage serves the edit methods. read gives the new text or
// caption, and field the message's content it replaces (or why there is
// none); both are nil when only the keyboard changes.
func editMessage(c *call, read func() (string, []tg.MessageEntity, *apiError),
	field func(*tg.Message) (*string, *[]tg.MessageEntity, *apiError)) (any, *apiError) {
	var s string
	var ents []tg.MessageEntity
	if read != nil {
		var aerr *apiError
		if s, ents, aerr = read(); aerr != nil {
			return nil, aerr
		}
	}
	mk, aerr := c.editMarkup()
	if aerr != nil {
		return nil, aerr
	}
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	ch, m, aerr := c.editTargetLocked()
	if aerr != nil {
		return nil, aerr
	}
	// Only an inline keyboard belongs to the message: a reply keyboard it
	// was sent with (kept in m.markup for the transcript) belongs to the
	// chat, and edits neither compare nor remove it.
	keyboard := m.markup
	if m.m.ReplyMarkup == nil {
		keyboard = nil
	}
	same := bytes.Equal(keyboard, mk.raw)
	if field != nil {
		text, textEnts, aerr := field(m.m)
		if aerr != nil {
			return nil, aerr
		}
		same = same && *text == s && sameEntities(*textEnts, ents)
		if !same {
			*text, *textEnts = s, ents
		}
	}
	if same {
		return nil, errNotModified
	}
	if mk.inline != nil || m.m.ReplyMarkup != nil {
		m.m.ReplyMarkup, m.markup = mk.inline, mk.raw
	}
	m.m.EditDate = time.Now().Unix()
	b.emitMessageLocked("edited", ch, m)
	return c.edited(m), nil
}

func (c *call) deleteLocked(ch *chat, m *message) {
	m.deleted = true
	ch.unpin(m.m.MessageID)
	c.b.emitMessageLocked("deleted", ch, m)
}

func deleteMessage(c *call) (any, *apiError) {
	return c.withChat(func(ch *chat) (any, *apiError) {
		m := ch.live(c.p.int("message_id"))
		if m == nil {
			return nil, errDeleteNotFound
		}
		if ch.info.Type == "channel" && !m.fromBot && m.m.From != nil {
			return nil, errCantDelete
		}
		c.deleteLocked(ch, m)
		return true, nil
	})
}

func deleteEphemeralMessage(c *call) (any, *apiError) {
	return c.withChat(func(ch *chat) (any, *apiError) {
		m := ch.liveEphemeral(c.p.int("ephemeral_message_id"), c.p.int("receiver_user_id"))
		if m == nil {
			return nil, errDeleteNotFound
		}
		c.deleteLocked(ch, m)
		return true, nil
	})
}

func deleteMessages(c *call) (any, *apiError) {
	ids, aerr := intsParam(c, "message_ids")
	if aerr != nil {
		return nil, aerr
	}
	return c.withChat(func(ch *chat) (any, *apiError) {
		for _, id := range ids {
			if m := ch.live(id); m != nil {
				c.deleteLocked(ch, m)
			}
		}
		return true, nil
	})
}
