package emulator

import (
	"bytes"
	"strings"
	"time"
)

// editMessageMedia replaces the photo or document of one of the bot's
// messages (an upload or a known file_id of that kind) and its caption,
// as Telegram does; it serves editEphemeralMessageMedia too, which takes
// no upload. Only photo and document media are modelled; a text
// message has no media to replace. Replacing a file by itself with the
// same caption and keyboard is "message is not modified".
func editMessageMedia(c *call) (any, *apiError) {
	var im inputMedia
	if ok, err := c.p.decode("media", &im); err != nil {
		return nil, badRequest("can't parse InputMedia JSON object")
	} else if !ok {
		return nil, badRequest("media is empty")
	}
	switch im.Type {
	case "photo", "document":
	case "video", "audio", "animation":
		return nil, badRequest("media of type %q is not modelled by the Herald emulator", im.Type)
	default:
		return nil, badRequest("can't parse InputMedia: unknown type %q", im.Type)
	}
	if im.Caption = stripIfHTML(im.Caption, im.ParseMode); utf16Len(im.Caption) > 1024 {
		return nil, errCaptionTooLong
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
	msg := m.m
	if msg.EphemeralMessageID != 0 && (strings.HasPrefix(im.Media, "attach://") || len(c.p.files) > 0) {
		return nil, errEphemeralUpload
	}
	var current string
	switch {
	case len(msg.Photo) > 0:
		current = msg.Photo[0].FileID
	case msg.Document != nil:
		current = msg.Document.FileID
	default:
		return nil, badRequest("there is no media in the message to edit")
	}
	if msg.MediaGroupID != "" && (msg.Document != nil) != (im.Type == "document") {
		return nil, badRequest("document can't be mixed with other media types")
	}
	f, aerr := c.inputFileLocked(ch, im.Media, "", im.Type)
	if aerr != nil {
		return nil, aerr
	}
	keyboard := m.markup
	if msg.ReplyMarkup == nil {
		keyboard = nil
	}
	if f.id == current && msg.Caption == im.Caption && len(msg.CaptionEntities) == 0 && bytes.Equal(keyboard, mk.raw) {
		return nil, errNotModified
	}
	msg.Photo, msg.Document = nil, nil
	attach(msg, f)
	msg.Caption, msg.CaptionEntities = im.Caption, nil
	if mk.inline != nil || msg.ReplyMarkup != nil {
		msg.ReplyMarkup, m.markup = mk.inline, mk.raw
	}
	msg.EditDate = time.Now().Unix()
	b.emitMessageLocked("edited", ch, m)
	return c.edited(m), nil
}
