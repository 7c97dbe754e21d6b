package limit

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
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
// The generated parameter structs, which the generated Client methods pass
// by pointer, are read by tg.TargetOf, a generated type switch; anything
// else (a map, a struct of the caller's own) is read from its JSON
// encoding, the parameters as Telegram would receive them.
func targetOf(params any) target {
	ct, ok := tg.TargetOf(params)
	if !ok {
		return encodedTarget(params)
	}
	return target{chat: normalize(ct.Chat), paid: ct.PaidBroadcast, items: ct.Items}
}

// placeholders encode what the limiter does not read (files, unset chat
// ids) as null, so that parameters holding an upload or a required chat
// id left unset still encode.
var placeholders = json.WithMarshalers(json.JoinMarshalers(
	json.MarshalToFunc(func(enc *jsontext.Encoder, _ tg.InputFile) error { return enc.WriteToken(jsontext.Null) }),
	json.MarshalToFunc(func(enc *jsontext.Encoder, c tg.ChatID) error {
		if c.IsZero() {
			return enc.WriteToken(jsontext.Null)
		}
		return c.MarshalJSONTo(enc)
	}),
))

// encodedTarget reads the top-level members chat_id (a number, "@name" or a
// decimal string), allow_paid_broadcast and the length of message_ids, else
// of media, from the JSON encoding of params. Parameters that do not
// encode as an object name no chat.
func encodedTarget(params any) target {
	if params == nil {
		return target{}
	}
	data, err := json.Marshal(params, placeholders)
	if err != nil {
		return target{}
	}
	dec := jsontext.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return target{}
	}
	var t target
	media, ids := -1, -1
	for dec.PeekKind() == '"' {
		tok, err := dec.ReadToken()
		if err != nil {
			return target{}
		}
		name := tok.String() // before ReadValue, which voids tok
		v, err := dec.ReadValue()
		if err != nil {
			return target{}
		}
		switch name {
		case "chat_id":
			t.chat = normalize(chatFromJSON(v))
		case "allow_paid_broadcast":
			t.paid = v.Kind() == 't'
		case "media":
			media = arrayLen(v)
		case "message_ids":
			ids = arrayLen(v)
		}
	}
	t.items = max(ids, 0)
	if ids < 0 {
		t.items = max(media, 0)
	}
	return t
}

// chatFromJSON converts a JSON integer, "@name" or decimal string to a
// tg.ChatID; anything else gives the zero ChatID.
func chatFromJSON(v jsontext.Value) tg.ChatID {
	switch v.Kind() {
	case '0':
		if id, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return tg.ID(id)
		}
	case '"':
		var s string
		if json.Unmarshal(v, &s) != nil {
			return tg.ChatID{}
		}
		if strings.HasPrefix(s, "@") {
			return tg.Username(s)
		}
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			return tg.ID(id)
		}
	}
	return tg.ChatID{}
}

// arrayLen returns the number of elements of a JSON array, or -1.
func arrayLen(v jsontext.Value) int {
	if v.Kind() != '[' {
		return -1
	}
	dec := jsontext.NewDecoder(bytes.NewReader(v))
	if _, err := dec.ReadToken(); err != nil {
		return -1
	}
	n := 0
	for dec.PeekKind() != ']' {
		if err := dec.SkipValue(); err != nil {
			return -1
		}
		n++
	}
	return n
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
