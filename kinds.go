package herald

import (
	"math/bits"

	"github.com/heraldbot/herald/tg"
)

// UpdateKind is one type of update, as named by the Update object's fields.
// Kinds are bits, so a set of kinds is a Kinds mask.
type UpdateKind uint32

// The update kinds of Bot API 10.1, one per optional field of tg.Update.
const (
	KindMessage UpdateKind = 1 << iota
	KindEditedMessage
	KindChannelPost
	KindEditedChannelPost
	KindBusinessConnection
	KindBusinessMessage
	KindEditedBusinessMessage
	KindDeletedBusinessMessages
	KindGuestMessage
	KindMessageReaction
	KindMessageReactionCount
	KindInlineQuery
	KindChosenInlineResult
	KindCallbackQuery
	KindShippingQuery
	KindPreCheckoutQuery
	KindPurchasedPaidMedia
	KindPoll
	KindPollAnswer
	KindMyChatMember
	KindChatMember
	KindChatJoinRequest
	KindChatBoost
	KindRemovedChatBoost
	KindManagedBot
	// KindUnknown is an update whose type this version does not know.
	KindUnknown

	kindCount = iota
)

// AllKinds matches every update, including unknown ones.
const AllKinds UpdateKind = 1<<kindCount - 1

// kindNames are the Update field names, which are also the allowed_updates values.
var kindNames = [kindCount]string{
	"message", "edited_message", "channel_post", "edited_channel_post",
	"business_connection", "business_message", "edited_business_message",
	"deleted_business_messages", "guest_message", "message_reaction",
	"message_reaction_count", "inline_query", "chosen_inline_result",
	"callback_query", "shipping_query", "pre_checkout_query",
	"purchased_paid_media", "poll", "poll_answer", "my_chat_member",
	"chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
	"managed_bot", "unknown",
}

// String returns the update field name ("message", "callback_query", …), or
// the names joined by "|" for a set.
func (k UpdateKind) String() string {
	if k == 0 {
		return "none"
	}
	s := ""
	for k != 0 {
		i := bits.TrailingZeros32(uint32(k))
		if s != "" {
			s += "|"
		}
		s += kindNames[i]
		k &^= 1 << i
	}
	return s
}

// AllowedUpdates returns the allowed_updates list for getUpdates/setWebhook
// that covers every kind in the set. A set that includes unknown updates gives
// nil, which asks Telegram for everything.
func (k UpdateKind) AllowedUpdates() []string {
	if k&KindUnknown != 0 {
		return nil
	}
	out := []string{}
	for i := range kindCount - 1 {
		if k&(1<<i) != 0 {
			out = append(out, kindNames[i])
		}
	}
	return out
}

// KindOf returns the kind of an update: the one optional field that is set.
func KindOf(u *tg.Update) UpdateKind {
	switch {
	case u.Message != nil:
		return KindMessage
	case u.CallbackQuery != nil:
		return KindCallbackQuery
	case u.EditedMessage != nil:
		return KindEditedMessage
	case u.ChannelPost != nil:
		return KindChannelPost
	case u.EditedChannelPost != nil:
		return KindEditedChannelPost
	case u.BusinessConnection != nil:
		return KindBusinessConnection
	case u.BusinessMessage != nil:
		return KindBusinessMessage
	case u.EditedBusinessMessage != nil:
		return KindEditedBusinessMessage
	case u.DeletedBusinessMessages != nil:
		return KindDeletedBusinessMessages
	case u.GuestMessage != nil:
		return KindGuestMessage
	case u.MessageReaction != nil:
		return KindMessageReaction
	case u.MessageReactionCount != nil:
		return KindMessageReactionCount
	case u.InlineQuery != nil:
		return KindInlineQuery
	case u.ChosenInlineResult != nil:
		return KindChosenInlineResult
	case u.ShippingQuery != nil:
		return KindShippingQuery
	case u.PreCheckoutQuery != nil:
		return KindPreCheckoutQuery
	case u.PurchasedPaidMedia != nil:
		return KindPurchasedPaidMedia
	case u.Poll != nil:
		return KindPoll
	case u.PollAnswer != nil:
		return KindPollAnswer
	case u.MyChatMember != nil:
		return KindMyChatMember
	case u.ChatMember != nil:
		return KindChatMember
	case u.ChatJoinRequest != nil:
		return KindChatJoinRequest
	case u.ChatBoost != nil:
		return KindChatBoost
	case u.RemovedChatBoost != nil:
		return KindRemovedChatBoost
	case u.ManagedBot != nil:
		return KindManagedBot
	}
	return KindUnknown
}
