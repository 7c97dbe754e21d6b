package tg

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// ChatID identifies a chat either by its numeric id or, for public
// channels and supergroups, by "@username". The zero value is unset: an
// optional (omitzero) parameter is then left out, and marshalling it as a
// required parameter is an error. ID(0) is also unset.
type ChatID struct {
	id       int64
	username string // with the leading "@"
}

// ID returns a ChatID for a numeric chat id.
func ID(id int64) ChatID { return ChatID{id: id} }

// Username returns a ChatID for a public chat's username, given with or
// without the leading "@". An empty name gives the zero ChatID.
func Username(name string) ChatID {
	name = strings.TrimPrefix(name, "@")
	if name == "" {
		return ChatID{}
	}
	return ChatID{username: "@" + name}
}

// Int64 returns the numeric id and true, or 0 and false for a username.
func (c ChatID) Int64() (int64, bool) { return c.id, c.username == "" && c.id != 0 }

// Username returns the "@username" and true, or "" and false for an id.
func (c ChatID) Username() (string, bool) { return c.username, c.username != "" }

// IsZero reports whether c is unset.
func (c ChatID) IsZero() bool { return c.id == 0 && c.username == "" }

// String returns the decimal id, the "@username", or "" when unset.
func (c ChatID) String() string {
	if c.username != "" {
		return c.username
	}
	if c.id == 0 {
		return ""
	}
	return strconv.FormatInt(c.id, 10)
}

var errUnsetChatID = errors.New("tg: ChatID is unset")

// MarshalJSONTo writes a JSON number for an id, or a string for a username.
func (c ChatID) MarshalJSONTo(enc *jsontext.Encoder) error {
	switch {
	case c.username != "":
		return enc.WriteToken(jsontext.String(c.username))
	case c.id != 0:
		return enc.WriteToken(jsontext.Int(c.id))
	default:
		return errUnsetChatID
	}
}

// UnmarshalJSONFrom reads a JSON number, or a string holding "@username" or
// a decimal id such as "-100123". null gives the zero ChatID.
func (c *ChatID) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case 'n':
		*c = ChatID{}
		return nil
	case '0':
		id, ok := parseInt(v)
		if !ok {
			return fmt.Errorf("tg: chat id %s is not an integer", v)
		}
		*c = ID(id)
		return nil
	case '"':
		b, err := jsontext.AppendUnquote(nil, v)
		if err != nil {
			return err
		}
		return c.parseString(string(b))
	default:
		return fmt.Errorf("tg: chat id must be a number or a string, got %s", v.Kind())
	}
}

func (c *ChatID) parseString(s string) error {
	if name, ok := strings.CutPrefix(s, "@"); ok {
		if name == "" {
			return errors.New(`tg: chat id "@" has an empty username`)
		}
		*c = ChatID{username: s}
		return nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("tg: chat id %q is neither a number nor an @username", s)
	}
	*c = ID(id)
	return nil
}

// MarshalJSON implements the encoding/json v1 Marshaler.
func (c ChatID) MarshalJSON() ([]byte, error) { return json.Marshal(c) }

// UnmarshalJSON implements the encoding/json v1 Unmarshaler.
func (c *ChatID) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, c) }
