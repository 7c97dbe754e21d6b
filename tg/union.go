package tg

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// members is what scanMembers learns about a JSON object: the value of the
// selecting member and the names of all top-level members.
type members struct {
	disc  string
	names []string
}

func (m members) has(name string) bool { return slices.Contains(m.names, name) }

// scanMembers reads the top-level member names of a JSON object and the value
// of member disc (a string's text or a number's literal).
func scanMembers(data []byte, disc string) (members, error) {
	var m members
	dec := jsontext.NewDecoder(bytes.NewReader(data))
	tok, err := dec.ReadToken()
	if err != nil {
		return m, err
	}
	if tok.Kind() != '{' {
		return m, fmt.Errorf("expected a JSON object, got %v", tok.Kind())
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return m, err
		}
		n := name.String()
		m.names = append(m.names, n)
		if n == disc && disc != "" {
			v, err := dec.ReadToken()
			if err != nil {
				return m, err
			}
			switch v.Kind() {
			case '"', '0':
				m.disc = v.String()
			case '{', '[':
				return m, fmt.Errorf("member %q is not a string or number", disc)
			}
			continue
		}
		if err := dec.SkipValue(); err != nil {
			return m, err
		}
	}
	return m, nil
}

// isZeroDate reports whether the "date" member of a MaybeInaccessibleMessage
// (disc: its text; "" when absent or null) makes it an InaccessibleMessage,
// whose date is always 0. Any spelling of zero counts, and so does a
// missing date, so that what a Message encodes (date 0) decodes back the
// same way.
func isZeroDate(disc string) bool {
	if disc == "" {
		return true
	}
	f, err := strconv.ParseFloat(disc, 64)
	return err == nil && f == 0
}

// decodeVariant decodes data into a new T and returns it as the union I.
// The generator only pairs a union with its own variants, so *T is an I.
func decodeVariant[I any, T any](data []byte) (I, error) {
	v := new(T)
	if err := json.Unmarshal(data, v); err != nil {
		var zero I
		return zero, fmt.Errorf("tg: decode %T: %w", v, err)
	}
	return any(v).(I), nil
}

// jsonKind returns the first significant byte of a JSON value.
func jsonKind(data []byte) byte {
	for _, c := range data {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c
	}
	return 0
}

// writeRaw writes a kept raw value, or null when there is none.
func writeRaw(enc *jsontext.Encoder, raw jsontext.Value) error {
	if len(raw) == 0 {
		return enc.WriteToken(jsontext.Null)
	}
	return enc.WriteValue(raw)
}

// boxer is a decoding box that holds one union value.
type boxer[I any] interface{ get() I }

// unbox turns decoded boxes into union values.
func unbox[I any, B boxer[I]](bs []B) []I {
	if bs == nil {
		return nil
	}
	out := make([]I, len(bs))
	for i, b := range bs {
		out[i] = b.get()
	}
	return out
}
