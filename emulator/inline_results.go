package emulator

import (
	"slices"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/heraldbot/herald/tg"
)

// inlineResult is one result of answerInlineQuery, as far as the emulator
// reads it: enough to validate it and to post the message it stands for.
type inlineResult struct {
	ID   string
	Type string
	raw  jsontext.Value // compact, as sent

	text     string             // input_message_content.message_text, HTML removed
	entities []tg.MessageEntity // its entities
	invoice  *invoiceContent    // an InputInvoiceMessageContent
	fileID   string             // <media>_file_id of a cached photo or document
	caption  string
	markup   markup // reply_markup: an inline keyboard, or none
}

// inlineResultKind is what the spec requires of one type of
// InlineQueryResult: media types need a <media>_url or a <media>_file_id
// (the cached variant); the others need the members listed.
type inlineResultKind struct {
	media    string
	required []string
}

// inlineResultKinds are the "type" values of the InlineQueryResult
// variants of the Bot API (see tg.InlineQueryResult).
var inlineResultKinds = map[string]inlineResultKind{
	"article":   {required: []string{"title", "input_message_content"}},
	"photo":     {media: "photo"},
	"gif":       {media: "gif"},
	"mpeg4_gif": {media: "mpeg4"},
	"video":     {media: "video"},
	"audio":     {media: "audio"},
	"voice":     {media: "voice"},
	"document":  {media: "document"},
	"sticker":   {required: []string{"sticker_file_id"}},
	"location":  {required: []string{"latitude", "longitude", "title"}},
	"venue":     {required: []string{"latitude", "longitude", "title", "address"}},
	"contact":   {required: []string{"phone_number", "first_name"}},
	"game":      {required: []string{"game_short_name"}},
}

// inputContent is the part of an InputMessageContent the emulator reads.
type inputContent struct {
	MessageText *string            `json:"message_text"`
	ParseMode   string             `json:"parse_mode"`
	Entities    []tg.MessageEntity `json:"entities"`
	Currency    *string            `json:"currency"`
}

// parseInlineResult validates one result of answerInlineQuery.
func parseInlineResult(data jsontext.Value) (inlineResult, *apiError) {
	var members map[string]jsontext.Value
	if err := json.Unmarshal(data, &members); err != nil {
		return inlineResult{}, badRequest("can't parse InlineQueryResult: must be an Object")
	}
	res := inlineResult{raw: jsontext.Value(slices.Clone(data))}
	_ = res.raw.Compact()
	if json.Unmarshal(members["type"], &res.Type) != nil {
		return inlineResult{}, errResultTypeInvalid
	}
	kind, ok := inlineResultKinds[res.Type]
	if !ok {
		return inlineResult{}, errResultTypeInvalid
	}
	if json.Unmarshal(members["id"], &res.ID) != nil || res.ID == "" || len(res.ID) > 64 {
		return inlineResult{}, errResultIDInvalid
	}
	for _, name := range kind.required {
		if members[name] == nil {
			return inlineResult{}, badRequest("can't parse InlineQueryResult of type %s: %s is required", res.Type, name)
		}
	}
	if kind.media != "" {
		url, cached := members[kind.media+"_url"], members[kind.media+"_file_id"]
		if (url == nil) == (cached == nil) {
			return inlineResult{}, badRequest("can't parse InlineQueryResult of type %s: give %s_url or %s_file_id", res.Type, kind.media, kind.media)
		}
		if cached != nil {
			_ = json.Unmarshal(cached, &res.fileID)
		}
	}
	if raw := members["caption"]; raw != nil {
		var parseMode string
		_ = json.Unmarshal(members["parse_mode"], &parseMode)
		_ = json.Unmarshal(raw, &res.caption)
		if res.caption = stripIfHTML(res.caption, parseMode); utf16Len(res.caption) > 1024 {
			return inlineResult{}, errCaptionTooLong
		}
	}
	if raw := members["reply_markup"]; raw != nil {
		mk, aerr := parseMarkupJSON(raw)
		if aerr != nil {
			return inlineResult{}, aerr
		}
		if mk.inline == nil {
			return inlineResult{}, badRequest("reply markup of an inline result must be an inline keyboard")
		}
		if len(mk.inline.InlineKeyboard) > 0 {
			res.markup = mk
		}
	}
	if raw := members["input_message_content"]; raw != nil {
		if aerr := res.readContent(raw); aerr != nil {
			return inlineResult{}, aerr
		}
	}
	return res, nil
}

// readContent reads input_message_content: a text or an invoice; the
// other kinds (location, venue, contact) are accepted and not read.
func (res *inlineResult) readContent(raw jsontext.Value) *apiError {
	var ic inputContent
	if json.Unmarshal(raw, &ic) != nil {
		return badRequest("can't parse InputMessageContent: must be an Object")
	}
	switch {
	case ic.MessageText != nil:
		switch strings.ToLower(ic.ParseMode) {
		case "", "html", "markdown", "markdownv2":
		default:
			return badRequest("unsupported parse_mode")
		}
		text := stripIfHTML(*ic.MessageText, strings.ToLower(ic.ParseMode))
		if strings.TrimSpace(text) == "" {
			return badRequest("MESSAGE_EMPTY")
		}
		n := utf16Len(text)
		if n > 4096 {
			return badRequest("MESSAGE_TOO_LONG")
		}
		for _, en := range ic.Entities {
			if en.Offset < 0 || en.Length <= 0 || en.Offset+en.Length > int64(n) || en.Type == "" {
				return errEntitiesParse
			}
		}
		res.text, res.entities = text, ic.Entities
	case ic.Currency != nil:
		inv := new(invoiceContent)
		if json.Unmarshal(raw, inv) != nil {
			return badRequest("can't parse InputInvoiceMessageContent")
		}
		if aerr := inv.check(); aerr != nil {
			return aerr
		}
		res.invoice = inv
	}
	return nil
}
