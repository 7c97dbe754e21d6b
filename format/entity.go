package format

// The entity types of tg.MessageEntity that this package writes or
// treats specially. See https://core.telegram.org/bots/api#messageentity
const (
	TypeBold                 = "bold"
	TypeItalic               = "italic"
	TypeUnderline            = "underline"
	TypeStrikethrough        = "strikethrough"
	TypeSpoiler              = "spoiler"
	TypeCode                 = "code"
	TypePre                  = "pre"
	TypeTextLink             = "text_link"
	TypeTextMention          = "text_mention"
	TypeCustomEmoji          = "custom_emoji"
	TypeBlockquote           = "blockquote"
	TypeExpandableBlockquote = "expandable_blockquote"
)

// atomic reports whether an entity of type t must not be split: its text
// is its meaning (a custom emoji's alternative emoji, or text Telegram
// recognised as a mention, hashtag, command, URL, …).
func atomic(t string) bool {
	switch t {
	case TypeCustomEmoji, "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "date_time":
		return true
	}
	return false
}
