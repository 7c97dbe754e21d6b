package emulator

import (
	"github.com/heraldbot/herald/tg"
)

func sendMessage(c *call) (any, *apiError) { return sendOne(c, c.text, nil) }

// sendOne serves sendMessage, sendPhoto and sendDocument: read gives the
// text, or the caption when file (run once the rate limit is taken)
// gives a file to attach.
func sendOne(c *call, read func() (string, []tg.MessageEntity, *apiError), file func(*target) (*storedFile, *apiError)) (any, *apiError) {
	s, ents, aerr := read()
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
	t, aerr := c.limitedTargetLocked(1)
	if aerr != nil {
		return nil, aerr
	}
	var f *storedFile
	if file != nil {
		if f, aerr = file(t); aerr != nil {
			return nil, aerr
		}
	}
	m := c.newBotMessageLocked(t)
	if f != nil {
		attach(m.m, f)
		m.m.Caption, m.m.CaptionEntities = s, ents
	} else {
		m.m.Text, m.m.Entities = s, ents
	}
	m.m.ReplyMarkup, m.markup = mk.inline, mk.raw
	b.storeLocked(t.ch, m)
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

func forwardMessage(c *call) (any, *apiError) {
	out, aerr := sendCopies(c, []int64{c.p.int("message_id")}, errForwardNotFound, nil, forwarded)
	if aerr != nil {
		return nil, aerr
	}
	return out[0], nil
}

func forwardMessages(c *call) (any, *apiError) {
	return sendManyCopies(c, errForwardNotFound, forwarded)
}

func forwarded(m, src *message) { m.m.ForwardOrigin = originOf(src) }

func copyMessage(c *call) (any, *apiError) {
	var caption string
	var ents []tg.MessageEntity
	hasCaption := c.p.has("caption")
	if hasCaption {
		var aerr *apiError
		if caption, ents, aerr = c.caption(); aerr != nil {
			return nil, aerr
		}
	}
	mk, hasMarkup, aerr := c.parseMarkup()
	if aerr != nil {
		return nil, aerr
	}
	check := func(src *message) *apiError {
		if hasCaption && src.m.Text != "" {
			return badRequest("can't edit caption of a text message")
		}
		return nil
	}
	out, aerr := sendCopies(c, []int64{c.p.int("message_id")}, errCopyNotFound, check, func(m, src *message) {
		if hasCaption {
			m.m.Caption, m.m.CaptionEntities = caption, ents
		}
		if hasMarkup {
			m.m.ReplyMarkup, m.markup = mk.inline, mk.raw
		} else if src.m.ReplyMarkup != nil {
			m.m.ReplyMarkup, m.markup = src.m.ReplyMarkup, src.markup
		}
	})
	if aerr != nil {
		return nil, aerr
	}
	return tg.MessageId{MessageID: out[0].MessageID}, nil
}

func copyMessages(c *call) (any, *apiError) {
	return sendManyCopies(c, errCopyNotFound, func(m, _ *message) {
		if c.p.bool("remove_caption") {
			m.m.Caption, m.m.CaptionEntities = "", nil
		}
	})
}

// sendManyCopies serves forwardMessages and copyMessages.
func sendManyCopies(c *call, notFound *apiError, apply func(m, src *message)) (any, *apiError) {
	ids, aerr := intsParam(c, "message_ids")
	if aerr != nil {
		return nil, aerr
	}
	msgs, aerr := sendCopies(c, ids, notFound, nil, apply)
	if aerr != nil {
		return nil, aerr
	}
	out := make([]tg.MessageId, len(msgs))
	for i, m := range msgs {
		out[i] = tg.MessageId{MessageID: m.MessageID}
	}
	return out, nil
}

// sendCopies forwards or copies the messages ids of from_chat_id: the
// missing ones are skipped (notFound when none exists), the limit is
// taken for all of them at once, then each is copied and adjusted by
// apply. check, if not nil, may refuse a source before anything is
// counted or allocated.
func sendCopies(c *call, ids []int64, notFound *apiError, check func(src *message) *apiError, apply func(m, src *message)) ([]*tg.Message, *apiError) {
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	t, aerr := c.targetLocked()
	if aerr != nil {
		return nil, aerr
	}
	from, aerr := b.resolveChatLocked(c.p.str("from_chat_id"))
	if aerr != nil {
		return nil, aerr
	}
	var srcs []*message
	for _, id := range ids {
		if src := from.live(id); src != nil {
			srcs = append(srcs, src)
		}
	}
	if len(srcs) == 0 {
		return nil, notFound
	}
	if check != nil {
		for _, src := range srcs {
			if aerr := check(src); aerr != nil {
				return nil, aerr
			}
		}
	}
	if aerr := c.limitLocked(t.ch, len(srcs)); aerr != nil {
		return nil, aerr
	}
	out := make([]*tg.Message, len(srcs))
	for i, src := range srcs {
		m := c.newBotMessageLocked(t)
		copyContent(m.m, src.m)
		apply(m, src)
		b.storeLocked(t.ch, m)
		out[i] = m.m
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
	if t.ch.business == nil { // the page shows the bot's own chats only
		b.emitLocked(Event{Type: "chat_action", ChatID: t.ch.info.ID, Action: action})
	}
	return true, nil
}
