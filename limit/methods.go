package limit

import "maps"

// Counting says whether and how a Bot API method counts against the limits.
type Counting uint8

const (
	// NotCounted methods pass without waiting: reads, answers to queries,
	// chat actions, drafts, deletions, administration.
	NotCounted Counting = iota
	// Once counts the call as one message.
	Once
	// PerItem counts one message per item posted: each medium of
	// sendMediaGroup, each id of forwardMessages and copyMessages.
	PerItem
)

// String returns "not counted", "once" or "per item".
func (c Counting) String() string {
	switch c {
	case Once:
		return "once"
	case PerItem:
		return "per item"
	default:
		return "not counted"
	}
}

// defaultMethods is the table documented in the package comment: the
// methods that post a new message, and those that edit one.
var defaultMethods = map[string]Counting{
	// New messages.
	"sendMessage":     Once,
	"sendPhoto":       Once,
	"sendLivePhoto":   Once,
	"sendAudio":       Once,
	"sendDocument":    Once,
	"sendVideo":       Once,
	"sendAnimation":   Once,
	"sendVoice":       Once,
	"sendVideoNote":   Once,
	"sendPaidMedia":   Once, // one message, however many media
	"sendLocation":    Once,
	"sendVenue":       Once,
	"sendContact":     Once,
	"sendPoll":        Once,
	"sendChecklist":   Once,
	"sendDice":        Once,
	"sendSticker":     Once,
	"sendInvoice":     Once,
	"sendGame":        Once,
	"sendRichMessage": Once,
	"forwardMessage":  Once,
	"copyMessage":     Once,
	"sendMediaGroup":  PerItem, // an album is one message per medium
	"forwardMessages": PerItem,
	"copyMessages":    PerItem,

	// Edits change a message in place; Telegram throttles them per chat
	// too. Edits of inline messages (no chat) count against Global only.
	"editMessageText":         Once,
	"editMessageCaption":      Once,
	"editMessageMedia":        Once,
	"editMessageLiveLocation": Once,
	"stopMessageLiveLocation": Once,
	"editMessageChecklist":    Once,
	"editMessageReplyMarkup":  Once,
	"stopPoll":                Once,
}

// DefaultMethods returns a new copy of the methods that count by default
// and how (see the package documentation for the table). Methods not in
// it are not counted. Change the copy and pass it as Config.Methods to
// count other methods.
func DefaultMethods() map[string]Counting { return maps.Clone(defaultMethods) }
