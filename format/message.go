package format

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/heraldbot/herald/tg"
)

// MaxText is Telegram's limit on a message's text, in UTF-16 code units
// (after entities are parsed).
const MaxText = 4096

// MaxCaption is Telegram's limit on a media caption, in UTF-16 code units.
const MaxCaption = 1024

// ErrCannotSplit is wrapped by Split's errors about its input: a limit
// below 2, text that is not valid UTF-8, entities outside the text, or an
// unsplittable entity longer than the limit.
var ErrCannotSplit = errors.New("format: cannot split message")

// Message is a text with its entities, ready to send without a parse mode.
type Message struct {
	Text     string
	Entities []tg.MessageEntity
}

// SendParams returns the parameters of sendMessage of m to chat; set the
// others (reply markup, reply parameters, …) on the result.
func (m Message) SendParams(chat tg.ChatID) tg.SendMessageParams {
	return tg.SendMessageParams{ChatID: chat, Text: m.Text, Entities: m.Entities}
}

// Len returns the length of the text in UTF-16 code units.
func (m Message) Len() int { return UTF16Len(m.Text) }

// Split cuts m into messages of at most max UTF-16 code units (MaxText
// for a message, MaxCaption for a caption), as described in the package
// documentation: at a line break, else a space, else the limit; never
// inside a surrogate pair or an atomic entity; formatting entities that
// cross a cut are split in two. A message that fits is returned alone.
// A part is whitespace only when the text holds a run of whitespace
// longer than half of max; Telegram refuses such a message, so a caller
// that may have one should skip it.
func (m Message) Split(max int) ([]Message, error) {
	if max < 2 {
		return nil, fmt.Errorf("%w: limit %d is below 2 (a surrogate pair)", ErrCannotSplit, max)
	}
	if !utf8.ValidString(m.Text) {
		return nil, fmt.Errorf("%w: text is not valid UTF-8", ErrCannotSplit)
	}
	units := utf16.Encode([]rune(m.Text))
	n := len(units)
	for _, e := range m.Entities {
		if e.Offset < 0 || e.Length <= 0 || e.Offset+e.Length > int64(n) {
			return nil, fmt.Errorf("%w: %s entity at %d+%d outside the text of %d units", ErrCannotSplit, e.Type, e.Offset, e.Length, n)
		}
	}
	if n <= max {
		return []Message{m}, nil
	}
	var out []Message
	for start := 0; start < n; {
		end, err := cut(units, m.Entities, start, max)
		if err != nil {
			return nil, err
		}
		out = append(out, Message{Text: string(utf16.Decode(units[start:end])), Entities: clip(m.Entities, start, end)})
		start = end
	}
	return out, nil
}

// cut returns where the chunk starting at start ends.
func cut(units []uint16, ents []tg.MessageEntity, start, max int) (int, error) {
	limit := start + max
	if limit >= len(units) {
		return len(units), nil
	}
	end := breakAt(units, start, limit)
	// Not between the two halves of a surrogate pair.
	if utf16.IsSurrogate(rune(units[end])) && units[end] >= 0xDC00 {
		end--
	}
	// Not inside an atomic entity: move before it. Moving can enter
	// another one only if entities overlap, hence the loop.
	for moved := true; moved; {
		moved = false
		for _, e := range ents {
			off, stop := int(e.Offset), int(e.Offset+e.Length)
			if atomic(e.Type) && off < end && end < stop {
				if off <= start {
					return 0, fmt.Errorf("%w: a %s entity of %d units at offset %d does not fit in %d", ErrCannotSplit, e.Type, e.Length, e.Offset, max)
				}
				end, moved = off, true
			}
		}
	}
	return end, nil
}

// breakAt chooses the end of a chunk in units[start:limit]: after the last
// line break, else after the last space, else limit. Breaks in the first
// half of the window are not taken, so chunks stay long.
func breakAt(units []uint16, start, limit int) int {
	half := start + (limit-start)/2
	for _, sep := range []uint16{'\n', ' '} {
		for i := limit - 1; i >= half; i-- {
			if units[i] == sep {
				return i + 1
			}
		}
	}
	return limit
}

// clip returns the parts of ents inside [start, end), shifted to start
// at 0, in Telegram's order (by offset, then longer first).
func clip(ents []tg.MessageEntity, start, end int) []tg.MessageEntity {
	var out []tg.MessageEntity
	for _, e := range ents {
		off, stop := max(int(e.Offset), start), min(int(e.Offset+e.Length), end)
		if off >= stop {
			continue
		}
		e.Offset, e.Length = int64(off-start), int64(stop-off)
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b tg.MessageEntity) int {
		return cmp.Or(cmp.Compare(a.Offset, b.Offset), cmp.Compare(b.Length, a.Length))
	})
	return out
}
