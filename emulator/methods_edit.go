package emulator

import (
	"bytes"
	"slices"

	"github.com/heraldbot/herald/tg"
)

// editTargetLocked finds the bot's message that an edit method names.
func (c *call) editTargetLocked() (*chat, *message, *apiError) {
	if c.p.has("inline_message_id") && !c.p.has("chat_id") {
		return nil, nil, badRequest("inline messages are not modelled by the Herald emulator")
	}
	if !c.p.has("chat_id") {
		return nil, nil, errChatIDEmpty
	}
	if !c.p.has("message_id") {
		return nil, nil, badRequest("message identifier is not specified")
	}
	ch, aerr := c.b.resolveChatLocked(c.p.str("chat_id"))
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

func sameMarkup(m *message, mk markup) bool {
	return bytes.Equal(m.markup, mk.raw)
}

func sameEntities(a, b []tg.MessageEntity) bool {
	return slices.EqualFunc(a, b, func(x, y tg.MessageEntity) bool {
		return x.Type == y.Type && x.Offset == y.Offset && x.Length == y.Length && x.URL == y.URL
	})
}

// finishEditLocked stamps and reports an edit, returning the result.
func (c *call) finishEditLocked(ch *chat, m *message, mk markup) any {
	m.m.ReplyMarkup, m.markup = mk.inline, mk.raw
	m.m.EditDate = c.e.clock.Now().Unix()
	c.b.emitMessageLocked("edited", ch, m)
	return m.m
}

func editMessageText(c *call) (any, *apiError) {
	text, ents, aerr := c.text("text", "parse_mode", "entities", 4096, true)
	if aerr != nil {
		return nil, aerr
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
	if m.m.Text == "" {
		return nil, errNoTextToEdit
	}
	if m.m.Text == text && sameEntities(m.m.Entities, ents) && sameMarkup(m, mk) {
		return nil, errNotModified
	}
	m.m.Text, m.m.Entities = text, ents
	return c.finishEditLocked(ch, m, mk), nil
}

func editMessageCaption(c *call) (any, *apiError) {
	caption, ents, aerr := c.text("caption", "parse_mode", "caption_entities", 1024, false)
	if aerr != nil {
		return nil, aerr
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
	if m.m.Text != "" {
		return nil, errNoCaptionToEdit
	}
	if m.m.Caption == caption && sameEntities(m.m.CaptionEntities, ents) && sameMarkup(m, mk) {
		return nil, errNotModified
	}
	m.m.Caption, m.m.CaptionEntities = caption, ents
	return c.finishEditLocked(ch, m, mk), nil
}

func editMessageReplyMarkup(c *call) (any, *apiError) {
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
	if sameMarkup(m, mk) {
		return nil, errNotModified
	}
	return c.finishEditLocked(ch, m, mk), nil
}

func (c *call) deleteLocked(ch *chat, m *message) {
	m.deleted = true
	ch.pinned = slices.DeleteFunc(ch.pinned, func(id int64) bool { return id == m.m.MessageID })
	c.b.emitMessageLocked("deleted", ch, m)
}

func deleteMessage(c *call) (any, *apiError) {
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	ch, aerr := b.resolveChatLocked(c.p.str("chat_id"))
	if aerr != nil {
		return nil, aerr
	}
	m := ch.live(c.p.int("message_id"))
	if m == nil {
		return nil, errDeleteNotFound
	}
	if ch.info.Type == "channel" && !m.fromBot && m.m.From != nil {
		return nil, errCantDelete
	}
	c.deleteLocked(ch, m)
	return true, nil
}

func deleteMessages(c *call) (any, *apiError) {
	ids, aerr := intsParam(c, "message_ids")
	if aerr != nil {
		return nil, aerr
	}
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	ch, aerr := b.resolveChatLocked(c.p.str("chat_id"))
	if aerr != nil {
		return nil, aerr
	}
	for _, id := range ids {
		if m := ch.live(id); m != nil {
			c.deleteLocked(ch, m)
		}
	}
	return true, nil
}
