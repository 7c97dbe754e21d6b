package tg

import (
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
)

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
