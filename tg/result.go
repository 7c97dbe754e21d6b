package tg

import (
	"fmt"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// MessageOrBool is the result of methods that return the edited Message,
// or True when the message was sent by the bot via inline mode (edits of
// inline messages, stopMessageLiveLocation, …). When a message came back,
// Message is set and OK is true; otherwise Message is nil and OK holds the
// boolean.
type MessageOrBool struct {
	Message *Message
	OK      bool
}

// UnmarshalJSONFrom reads true, false, null or a Message object.
func (r *MessageOrBool) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch k := dec.PeekKind(); k {
	case 't', 'f', 'n':
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		*r = MessageOrBool{OK: k == 't' && tok.Bool()}
		return nil
	case '{':
		m := new(Message)
		if err := json.UnmarshalDecode(dec, m); err != nil {
			return err
		}
		*r = MessageOrBool{Message: m, OK: true}
		return nil
	case 0:
		_, err := dec.ReadToken() // report the underlying read error
		return err
	default:
		return fmt.Errorf("tg: want a Message or a boolean, got a JSON %s", k)
	}
}

// MarshalJSONTo writes the Message if there is one, else the boolean.
func (r MessageOrBool) MarshalJSONTo(enc *jsontext.Encoder) error {
	if r.Message != nil {
		return json.MarshalEncode(enc, r.Message)
	}
	return enc.WriteToken(jsontext.Bool(r.OK))
}

// MarshalJSON implements the encoding/json v1 Marshaler.
func (r MessageOrBool) MarshalJSON() ([]byte, error) { return json.Marshal(r) }

// UnmarshalJSON implements the encoding/json v1 Unmarshaler.
func (r *MessageOrBool) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, r) }
