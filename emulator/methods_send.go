package emulator

import (
	"github.com/heraldbot/herald/tg"
)

func sendMessage(c *call) (any, *apiError) {
	text, ents, aerr := c.text("text", "parse_mode", "entities", 4096, true)
	if aerr != nil {
		return nil, aerr
	}
	mk, _, aerr := c.parseMarkup()
	if aerr != nil {
		return nil, aerr
	}
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	t, aerr := c.targetLocked()
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.limitLocked(t.ch, 1); aerr != nil {
		return nil, aerr
	}
	m := c.newBotMessageLocked(t)
	m.m.Text, m.m.Entities = text, ents
	m.m.ReplyMarkup, m.markup = mk.inline, mk.raw
	c.storeLocked(t, m)
	return m.m, nil
}

// originOf describes where a forwarded message came from.
func originOf(src *message) tg.MessageOrigin {
	m := src.m
	switch {
	case m.ForwardOrigin != nil:
		return m.ForwardOrigin
	case m.From != nil:
		return &tg.MessageOriginUser{Date: m.Date, SenderUser: *m.From}
	case m.SenderChat != nil && m.Chat.Type == "channel":
		return &tg.MessageOriginChannel{Date: m.Date, Chat: *m.SenderChat, MessageID: m.MessageID}
	default:
		return &tg.MessageOriginChat{Date: m.Date, SenderChat: m.Chat}
	}
}

// copyContent copies what a forward or copy carries: the content, not
// the identity, replies or keyboard.
func copyContent(dst, src *tg.Message) {
	dst.Text, dst.Entities = src.Text, src.Entities
	dst.Photo, dst.Document = src.Photo, src.Document
	dst.Caption, dst.CaptionEntities = src.Caption, src.CaptionEntities
}

// sourceLocked finds from_chat_id's message id for forwarding or copying.
func (c *call) sourceLocked(id int64, notFound *apiError) (*message, *apiError) {
	from, aerr := c.b.resolveChatLocked(c.p.str("from_chat_id"))
	if aerr != nil {
		return nil, aerr
	}
	src := from.live(id)
	if src == nil {
		return nil, notFound
	}
	return src, nil
}

func forwardMessage(c *call) (any, *apiError) {
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	t, aerr := c.targetLocked()
	if aerr != nil {
		return nil, aerr
	}
	src, aerr := c.sourceLocked(c.p.int("message_id"), errForwardNotFound)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.limitLocked(t.ch, 1); aerr != nil {
		return nil, aerr
	}
	m := c.newBotMessageLocked(t)
	copyContent(m.m, src.m)
	m.m.ForwardOrigin = originOf(src)
	c.storeLocked(t, m)
	return m.m, nil
}

func forwardMessages(c *call) (any, *apiError) {
	return sendMany(c, errForwardNotFound, func(m, src *message) { m.m.ForwardOrigin = originOf(src) })
}

func copyMessage(c *call) (any, *apiError) {
	var caption string
	var ents []tg.MessageEntity
	if c.p.has("caption") {
		var aerr *apiError
		if caption, ents, aerr = c.text("caption", "parse_mode", "caption_entities", 1024, false); aerr != nil {
			return nil, aerr
		}
	}
	mk, hasMarkup, aerr := c.parseMarkup()
	if aerr != nil {
		return nil, aerr
	}
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	t, aerr := c.targetLocked()
	if aerr != nil {
		return nil, aerr
	}
	src, aerr := c.sourceLocked(c.p.int("message_id"), errCopyNotFound)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.limitLocked(t.ch, 1); aerr != nil {
		return nil, aerr
	}
	m := c.newBotMessageLocked(t)
	copyContent(m.m, src.m)
	if c.p.has("caption") {
		if m.m.Text != "" {
			return nil, badRequest("can't edit caption of a text message")
		}
		m.m.Caption, m.m.CaptionEntities = caption, ents
	}
	if hasMarkup {
		m.m.ReplyMarkup, m.markup = mk.inline, mk.raw
	} else if src.m.ReplyMarkup != nil {
		m.m.ReplyMarkup, m.markup = src.m.ReplyMarkup, src.markup
	}
	c.storeLocked(t, m)
	return tg.MessageId{MessageID: m.m.MessageID}, nil
}

func copyMessages(c *call) (any, *apiError) {
	return sendMany(c, errCopyNotFound, func(m, src *message) {
		if !c.p.bool("remove_caption") {
			m.m.Caption, m.m.CaptionEntities = src.m.Caption, src.m.CaptionEntities
		} else {
			m.m.Caption, m.m.CaptionEntities = "", nil
		}
	})
}

// sendMany forwards or copies the messages named by message_ids: every
// message is checked (notFound when none exists), the limit is taken for
// all of them at once, then each is copied and adjusted by apply.
func sendMany(c *call, notFound *apiError, apply func(m, src *message)) (any, *apiError) {
	ids, aerr := intsParam(c, "message_ids")
	if aerr != nil {
		return nil, aerr
	}
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	t, aerr := c.targetLocked()
	if aerr != nil {
		return nil, aerr
	}
	var srcs []*message
	for _, id := range ids {
		if src, err := c.sourceLocked(id, notFound); err == nil {
			srcs = append(srcs, src)
		} else if err != notFound {
			return nil, err
		}
	}
	if len(srcs) == 0 {
		return nil, notFound
	}
	if aerr := c.limitLocked(t.ch, len(srcs)); aerr != nil {
		return nil, aerr
	}
	out := make([]tg.MessageId, 0, len(srcs))
	for _, src := range srcs {
		m := c.newBotMessageLocked(t)
		copyContent(m.m, src.m)
		apply(m, src)
		c.storeLocked(t, m)
		out = append(out, tg.MessageId{MessageID: m.m.MessageID})
	}
	return out, nil
}

var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true, "choose_sticker": true,
	"find_location": true, "record_video_note": true, "upload_video_note": true,
}

func sendChatAction(c *call) (any, *apiError) {
	action := c.p.str("action")
	if !chatActions[action] {
		return nil, badRequest("wrong parameter action in request")
	}
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	t, aerr := c.targetLocked()
	if aerr != nil {
		return nil, aerr
	}
	b.emitLocked(Event{Type: "chat_action", ChatID: t.ch.info.ID, Action: action})
	return true, nil
}
