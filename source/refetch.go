package source

import (
	"bytes"
	"fmt"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/heraldbot/herald/tg"
)

// refetched is the result of a getUpdates whose answer repeats updates
// the Poller submitted before (the offset cannot pass them while they are
// in flight). Those, which known reports, are counted but not decoded:
// only their update_id is read. The others are decoded into updates.
type refetched struct {
	known   func(id int64) bool
	updates []tg.Update
	skipped int
}

// UnmarshalJSONFrom decodes the "result" array of getUpdates.
func (r *refetched) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		return nil
	case '[':
	default:
		return fmt.Errorf("getUpdates result is a JSON %s, not an array", tok.Kind())
	}
	for dec.PeekKind() != ']' {
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		if id, ok := leadingUpdateID(raw); ok && r.known(id) {
			r.skipped++
			continue
		}
		var u tg.Update
		if err := json.Unmarshal(raw, &u, jsontext.AllowInvalidUTF8(true)); err != nil {
			return err
		}
		r.updates = append(r.updates, u)
	}
	_, err = dec.ReadToken() // ']'
	return err
}

// leadingUpdateID reads the update_id of an update object whose first
// member it is, as in every Bot API answer. ok is false otherwise: the
// caller then decodes the whole object.
func leadingUpdateID(raw []byte) (id int64, ok bool) {
	rest := bytes.TrimLeft(raw, " \t\r\n")
	if len(rest) == 0 || rest[0] != '{' {
		return 0, false
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	const name = `"update_id"`
	if !bytes.HasPrefix(rest, []byte(name)) {
		return 0, false
	}
	rest = bytes.TrimLeft(rest[len(name):], " \t\r\n")
	if len(rest) == 0 || rest[0] != ':' {
		return 0, false
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		if n == 18 { // beyond what surely fits in an int64
			return 0, false
		}
		id = id*10 + int64(rest[n]-'0')
		n++
	}
	if n == 0 || n < len(rest) && rest[n] != ',' && rest[n] != '}' && rest[n] != ' ' && rest[n] != '\t' && rest[n] != '\r' && rest[n] != '\n' {
		return 0, false
	}
	return id, true
}
