package emulator

import (
	"strconv"

	"github.com/heraldbot/herald/tg"
)

// sendFile serves sendPhoto and sendDocument.
func sendFile(c *call, param, kind string) (any, *apiError) {
	caption, ents, aerr := c.text("caption", "parse_mode", "caption_entities", 1024, false)
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
	f, aerr := c.inputFileLocked(t.ch, c.p.str(param), param, kind)
	if aerr != nil {
		return nil, aerr
	}
	m := c.newBotMessageLocked(t)
	attach(m.m, f)
	m.m.Caption, m.m.CaptionEntities = caption, ents
	m.m.ReplyMarkup, m.markup = mk.inline, mk.raw
	c.storeLocked(t, m)
	return m.m, nil
}

func attach(m *tg.Message, f *storedFile) {
	if f.kind == "photo" {
		m.Photo = f.photoSizes()
	} else {
		m.Document = f.document()
	}
}

func sendPhoto(c *call) (any, *apiError)    { return sendFile(c, "photo", "photo") }
func sendDocument(c *call) (any, *apiError) { return sendFile(c, "document", "document") }

// inputMedia is the part of InputMedia the emulator reads.
type inputMedia struct {
	Type      string `json:"type"`
	Media     string `json:"media"`
	Caption   string `json:"caption"`
	ParseMode string `json:"parse_mode"`
}

func sendMediaGroup(c *call) (any, *apiError) {
	var media []inputMedia
	if _, err := c.p.decode("media", &media); err != nil {
		return nil, badRequest("can't parse media JSON array")
	}
	if len(media) < 2 || len(media) > 10 {
		return nil, errMediaGroupSize
	}
	docs := 0
	for _, im := range media {
		switch im.Type {
		case "photo":
		case "document":
			docs++
		case "video", "audio":
			return nil, badRequest("media of type %q is not modelled by the Herald emulator", im.Type)
		default:
			return nil, badRequest("can't parse InputMedia: unknown type %q", im.Type)
		}
		if utf16Len(stripIfHTML(im.Caption, im.ParseMode)) > 1024 {
			return nil, errCaptionTooLong
		}
	}
	if docs != 0 && docs != len(media) {
		return nil, badRequest("document can't be mixed with other media types")
	}
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	t, aerr := c.targetLocked()
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.limitLocked(t.ch, len(media)); aerr != nil {
		return nil, aerr
	}
	files := make([]*storedFile, len(media))
	for i, im := range media {
		f, aerr := c.inputFileLocked(t.ch, im.Media, "", im.Type)
		if aerr != nil {
			return nil, aerr
		}
		files[i] = f
	}
	b.groupSeq++
	group := strconv.FormatInt(b.id, 10) + strconv.FormatInt(b.groupSeq, 10)
	out := make([]*tg.Message, len(media))
	for i, im := range media {
		m := c.newBotMessageLocked(t)
		attach(m.m, files[i])
		m.m.Caption = stripIfHTML(im.Caption, im.ParseMode)
		m.m.MediaGroupID = group
		c.storeLocked(t, m)
		out[i] = m.m
	}
	return out, nil
}

func stripIfHTML(s, mode string) string {
	if mode == "HTML" || mode == "html" {
		return stripHTML(s)
	}
	return s
}
