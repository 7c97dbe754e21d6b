package herald

import "math/bits"

//go:generate go run ./internal/botapigen -spec ../shared/botapi/api-10.2.json -package herald -out .

// UpdateKind is one type of update, as named by the Update object's fields.
// Kinds are bits, so a set of kinds is a Kinds mask.
//
// The kinds (KindMessage, …, KindUnknown), AllKinds, KindOf, the Router
// method of each kind and what Context.Message, Chat and Sender read are
// generated from the Bot API spec into kinds_gen.go and
// router_kinds_gen.go.
type UpdateKind uint32

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
