package tg

import (
	"bytes"
	"fmt"

	"github.com/go-json-experiment/json/jsontext"
)

// This file holds the small token readers used by the generated decoders in
// decode_gen.go. Each reads exactly one JSON value; null leaves the zero value.

// decoderFrom is a pointer to T that decodes itself from a jsontext stream.
type decoderFrom[T any] interface {
	*T
	UnmarshalJSONFrom(*jsontext.Decoder) error
}

// kindError describes a JSON value of the wrong kind.
func kindError(want string, got jsontext.Kind) error {
	return fmt.Errorf("expected %s, got %s", want, kindName(got))
}

func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 't', 'f':
		return "boolean"
	case '"':
		return "string"
	case '0':
		return "number"
	case '{':
		return "object"
	case '[':
		return "array"
	}
	return "invalid JSON"
}

// beginObject reads '{'. It returns false without error for null.
func beginObject(dec *jsontext.Decoder) (bool, error) {
	tok, err := dec.ReadToken()
	if err != nil {
		return false, err
	}
	switch tok.Kind() {
	case '{':
		return true, nil
	case 'n':
		return false, nil
	}
	return false, kindError("an object", tok.Kind())
}

// endObject reads the closing '}'.
func endObject(dec *jsontext.Decoder) error {
	_, err := dec.ReadToken()
	return err
}

// readName reads an object member name, unescaped. The bytes are valid until
// the next read from dec.
func readName(dec *jsontext.Decoder) ([]byte, error) {
	raw, err := dec.ReadValue()
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1], nil
	}
	return jsontext.AppendUnquote(nil, raw)
}

// readInt reads a JSON integer that fits in int64.
func readInt(dec *jsontext.Decoder, dst *int64) error {
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch raw.Kind() {
	case 'n':
		*dst = 0
		return nil
	case '0':
	default:
		return kindError("an integer", raw.Kind())
	}
	n, ok := parseInt(raw)
	if !ok {
		return fmt.Errorf("%s is not a 64-bit integer", raw)
	}
	*dst = n
	return nil
}

// parseInt parses a JSON number literal that must be an integer.
func parseInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case neg && n <= 1<<63:
		return -int64(n), true
	case !neg && n < 1<<63:
		return int64(n), true
	}
	return 0, false
}

// readFloat reads a JSON number.
func readFloat(dec *jsontext.Decoder, dst *float64) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		*dst = 0
		return nil
	case '0':
		f, err := tok.Float()
		if err != nil {
			return err
		}
		*dst = f
		return nil
	}
	return kindError("a number", tok.Kind())
}

// readString reads a JSON string, copying it once.
func readString(dec *jsontext.Decoder, dst *string) error {
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch raw.Kind() {
	case 'n':
		*dst = ""
		return nil
	case '"':
	default:
		return kindError("a string", raw.Kind())
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		*dst = string(raw[1 : len(raw)-1])
		return nil
	}
	b, err := jsontext.AppendUnquote(nil, raw)
	if err != nil {
		return err
	}
	*dst = string(b)
	return nil
}

// readBool reads a JSON boolean.
func readBool(dec *jsontext.Decoder, dst *bool) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		*dst = false
		return nil
	case 't', 'f':
		*dst = tok.Bool()
		return nil
	}
	return kindError("a boolean", tok.Kind())
}

// readBoolPtr reads an optional boolean whose absence means something else than false.
func readBoolPtr(dec *jsontext.Decoder, dst **bool) error {
	if dec.PeekKind() == 'n' {
		*dst = nil
		_, err := dec.ReadToken()
		return err
	}
	var v bool
	if err := readBool(dec, &v); err != nil {
		return err
	}
	*dst = &v
	return nil
}

// readStructPtr reads an optional object into a new T.
func readStructPtr[T any, P decoderFrom[T]](dec *jsontext.Decoder, dst **T) error {
	if dec.PeekKind() == 'n' {
		*dst = nil
		_, err := dec.ReadToken()
		return err
	}
	v := new(T)
	if err := P(v).UnmarshalJSONFrom(dec); err != nil {
		return err
	}
	*dst = v
	return nil
}

// beginArray reads '['. It returns false without error for null.
func beginArray(dec *jsontext.Decoder) (bool, error) {
	tok, err := dec.ReadToken()
	if err != nil {
		return false, err
	}
	switch tok.Kind() {
	case '[':
		return true, nil
	case 'n':
		return false, nil
	}
	return false, kindError("an array", tok.Kind())
}

// readStructs reads an array of objects, decoding each in place.
func readStructs[T any, P decoderFrom[T]](dec *jsontext.Decoder, dst *[]T) error {
	*dst = nil
	if ok, err := beginArray(dec); !ok {
		return err
	}
	s := []T{}
	for dec.PeekKind() != ']' {
		var zero T
		s = append(s, zero)
		if err := P(&s[len(s)-1]).UnmarshalJSONFrom(dec); err != nil {
			return err
		}
	}
	*dst = s
	_, err := dec.ReadToken()
	return err
}

// decodeUnionFrom reads one union value, choosing its variant with decode.
func decodeUnionFrom[I any](dec *jsontext.Decoder, dst *I, decode func([]byte) (I, error)) error {
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	var v I
	if raw.Kind() != 'n' {
		if v, err = decode(raw); err != nil {
			return err
		}
	}
	*dst = v
	return nil
}

// decodeUnionsFrom reads an array of union values.
func decodeUnionsFrom[I any](dec *jsontext.Decoder, dst *[]I, decode func([]byte) (I, error)) error {
	*dst = nil
	if ok, err := beginArray(dec); !ok {
		return err
	}
	s := []I{}
	for dec.PeekKind() != ']' {
		var v I
		if err := decodeUnionFrom(dec, &v, decode); err != nil {
			return err
		}
		s = append(s, v)
	}
	*dst = s
	_, err := dec.ReadToken()
	return err
}
