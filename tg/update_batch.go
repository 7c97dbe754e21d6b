package tg

import (
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
)

// UpdateBatch is a getUpdates result that leaves out, reading only their
// update_id, the updates Skip reports: a long-polling client that is
// answered again with updates it already holds need not decode them.
// Pass a *UpdateBatch as the result of Client.Call(ctx, "getUpdates", …).
// An update whose update_id cannot be read without decoding it is
// decoded and kept.
type UpdateBatch struct {
	Skip    func(updateID int64) bool
	Updates []Update // the others, in order
	Skipped int      // how many Skip left out
}

func (b *UpdateBatch) decodeJSON(s *scanner) error {
	b.Updates, b.Skipped = nil, 0
	if ok, err := s.beginArray(); !ok {
		return err
	}
	for i := 0; ; i++ {
		more, err := s.element(i)
		if !more {
			return err
		}
		if b.Skip != nil && s.peek() == '{' {
			m, err := s.scanMembers("update_id")
			if err != nil {
				return err
			}
			if id, err := strconv.ParseInt(string(m.disc), 10, 64); err == nil && !m.discString && b.Skip(id) {
				b.Skipped++
				if err := s.skip(); err != nil {
					return err
				}
				continue
			}
		}
		b.Updates = append(b.Updates, Update{})
		if err := b.Updates[len(b.Updates)-1].decodeJSON(s); err != nil {
			return err
		}
	}
}

// UnmarshalJSONFrom decodes the result array from a JSON v2 stream.
func (b *UpdateBatch) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return unmarshalFrom(dec, b)
}
