package emulator

import (
	"strconv"

	"github.com/heraldbot/herald/tg"
)

// sendFile serves sendPhoto and sendDocument, whose file parameter is
// named after its kind.
func sendFile(c *call, kind string) (any, *apiError) {
	return sendOne(c, c.caption, func(t *target) (*storedFile, *apiError) {
		return c.inputFileLocked(t.ch, c.p.str(kind), kind, kind)
	})
}

func attach(m *tg.Message, f *storedFile) {
	if f.kind == "photo" {
		m.Photo = f.photoSizes()
	} else {
		m.Document = f.document()
	}
}

func sendPhoto(c *call) (any, *apiError)    { return sendFile(c, "photo") }
func sendDocument(c *call) (any, *apiError) { return sendFile(c, "document") }

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
	for i := range media {
		im := &media[i]
		switch im.Type {
		case "photo":
		case "document":
			docs++
		case "video", "audio":
			return nil, badRequest("media of type %q is not modelled by the Herald emulator", im.Type)
		default:
			return nil, badRequest("can't parse InputMedia: unknown type %q", im.Type)
		}
		if im.Caption = stripIfHTML(im.Caption, im.ParseMode); utf16Len(im.Caption) > 1024 {
			return nil, errCaptionTooLong
		}
	}
	if docs != 0 && docs != len(media) {
		return nil, badRequest("document can't be mixed with other media types")
	}
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	t, aerr := c.limitedTargetLocked(len(media))
	if aerr != nil {
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
		m.m.Caption = im.Caption
		m.m.MediaGroupID = group
		b.storeLocked(t.ch, m)
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
