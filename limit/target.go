package limit

import (
	"reflect"
	"strings"

	"github.com/heraldbot/herald/tg"
)

// target is what the limiter needs from a call's parameters.
type target struct {
	chat  tg.ChatID // zero when the call names no chat (inline messages)
	paid  bool      // allow_paid_broadcast is set
	items int       // media or message ids, for PerItem methods
}

// isGroup reports whether the chat is a group, supergroup or channel:
// negative ids, and @usernames (only public channels and supergroups have
// one that a chat_id can name).
func (t target) isGroup() bool {
	if _, ok := t.chat.Username(); ok {
		return true
	}
	id, ok := t.chat.Int64()
	return ok && id < 0
}

// targetOf reads the chat, the paid flag and the item count from params.
// The generated parameter structs of the counted methods, which the
// generated Client methods pass by pointer, are read by a type switch;
// anything else (values, maps, structs of the caller's own) falls back to
// reflection, planned once per type.
func targetOf(params any) target {
	if v := reflect.ValueOf(params); v.Kind() == reflect.Pointer && v.IsNil() {
		return target{}
	}
	t, ok := knownTarget(params)
	if !ok {
		t = reflectTarget(params)
	}
	t.chat = normalize(t.chat)
	return t
}

// knownTarget reads the generated parameter structs of the counted
// methods.
func knownTarget(params any) (t target, ok bool) {
	switch p := params.(type) {
	case *tg.SendMessageParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.SendPhotoParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.SendLivePhotoParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.SendAudioParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.SendDocumentParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.SendVideoParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.SendAnimationParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.SendVoiceParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.SendVideoNoteParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.SendPaidMediaParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.SendLocationParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.SendVenueParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.SendContactParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.SendPollParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.SendChecklistParams:
		t = target{chat: p.ChatID}
	case *tg.SendDiceParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.SendStickerParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.SendInvoiceParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.SendGameParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.SendRichMessageParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.ForwardMessageParams:
		t = target{chat: p.ChatID}
	case *tg.CopyMessageParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast}
	case *tg.SendMediaGroupParams:
		t = target{chat: p.ChatID, paid: p.AllowPaidBroadcast, items: len(p.Media)}
	case *tg.ForwardMessagesParams:
		t = target{chat: p.ChatID, items: len(p.MessageIDs)}
	case *tg.CopyMessagesParams:
		t = target{chat: p.ChatID, items: len(p.MessageIDs)}
	case *tg.EditMessageTextParams:
		t = target{chat: p.ChatID}
	case *tg.EditMessageCaptionParams:
		t = target{chat: p.ChatID}
	case *tg.EditMessageMediaParams:
		t = target{chat: p.ChatID}
	case *tg.EditMessageLiveLocationParams:
		t = target{chat: p.ChatID}
	case *tg.StopMessageLiveLocationParams:
		t = target{chat: p.ChatID}
	case *tg.EditMessageChecklistParams:
		t = target{chat: p.ChatID}
	case *tg.EditMessageReplyMarkupParams:
		t = target{chat: p.ChatID}
	case *tg.StopPollParams:
		t = target{chat: p.ChatID}
	default:
		return target{}, false
	}
	return t, true
}

// normalize lower-cases usernames, which Telegram compares without case,
// so that @News and @news share their buckets.
func normalize(c tg.ChatID) tg.ChatID {
	name, ok := c.Username()
	if !ok || name == strings.ToLower(name) {
		return c
	}
	return tg.Username(strings.ToLower(name))
}
