package format

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/heraldbot/herald/tg"
)

// ErrInvalid is wrapped by every error about a Part that Telegram would
// refuse (invalid UTF-8, an empty URL or custom emoji id, a mention of
// user 0, nesting Telegram does not allow).
var ErrInvalid = errors.New("format: invalid part")

// A Part is a piece of a message: Text, or an entity made by Bold,
// Italic, Code, Link, … over other parts.
type Part interface {
	write(b *Builder, in nesting)
}

// nesting records the entities a part is inside of, to refuse nesting
// that Telegram does not allow.
type nesting struct {
	quote bool // inside a blockquote
	link  bool // inside a text link or text mention
}

// Text is plain text; it is sent as is, no escaping needed.
type Text string

func (t Text) write(b *Builder, _ nesting) { b.text(string(t)) }

// span is an entity over child parts.
type span struct {
	entity   tg.MessageEntity // Offset and Length filled in when written
	children []Part
}

func (s *span) write(b *Builder, in nesting) {
	switch s.entity.Type {
	case TypeBlockquote, TypeExpandableBlockquote:
		if in.quote {
			b.fail(fmt.Errorf("%w: a blockquote inside a blockquote", ErrInvalid))
			return
		}
		in.quote = true
	case TypeTextLink, TypeTextMention:
		if in.link {
			b.fail(fmt.Errorf("%w: a %s inside a text link or text mention", ErrInvalid, s.entity.Type))
			return
		}
		in.link = true
	}
	start := b.n
	i := len(b.ents)
	b.ents = append(b.ents, s.entity) // before its children: outer entities come first
	for _, c := range s.children {
		c.write(b, in)
	}
	if b.n == start { // Telegram refuses empty entities; there is nothing to format
		b.ents = append(b.ents[:i], b.ents[i+1:]...)
		return
	}
	b.ents[i].Offset, b.ents[i].Length = int64(start), int64(b.n-start)
}

// leaf is an entity over literal text (code, pre, custom emoji), which
// cannot contain other entities.
type leaf struct {
	entity tg.MessageEntity
	text   string
}

func (l *leaf) write(b *Builder, _ nesting) {
	start := b.n
	b.text(l.text)
	if b.n > start {
		e := l.entity
		e.Offset, e.Length = int64(start), int64(b.n-start)
		b.ents = append(b.ents, e)
	}
}

// invalid is a part that could not be made; writing it fails the build.
type invalid struct{ err error }

func (p invalid) write(b *Builder, _ nesting) { b.fail(p.err) }

// Bold makes parts bold.
func Bold(parts ...Part) Part { return &span{tg.MessageEntity{Type: TypeBold}, parts} }

// Italic makes parts italic.
func Italic(parts ...Part) Part { return &span{tg.MessageEntity{Type: TypeItalic}, parts} }

// Underline underlines parts.
func Underline(parts ...Part) Part { return &span{tg.MessageEntity{Type: TypeUnderline}, parts} }

// Strikethrough strikes parts through.
func Strikethrough(parts ...Part) Part {
	return &span{tg.MessageEntity{Type: TypeStrikethrough}, parts}
}

// Spoiler hides parts until tapped.
func Spoiler(parts ...Part) Part { return &span{tg.MessageEntity{Type: TypeSpoiler}, parts} }

// Blockquote quotes parts. Blockquotes cannot be nested.
func Blockquote(parts ...Part) Part { return &span{tg.MessageEntity{Type: TypeBlockquote}, parts} }

// ExpandableBlockquote quotes parts in a block shown collapsed.
func ExpandableBlockquote(parts ...Part) Part {
	return &span{tg.MessageEntity{Type: TypeExpandableBlockquote}, parts}
}

// Link makes parts a link to url (a text_link entity). Links and mentions
// cannot be nested in each other.
func Link(url string, parts ...Part) Part {
	if url == "" {
		return invalid{fmt.Errorf("%w: a text link without URL", ErrInvalid)}
	}
	return &span{tg.MessageEntity{Type: TypeTextLink, URL: url}, parts}
}

// Mention makes parts a mention of user (a text_mention entity, for users
// without a username).
func Mention(user tg.User, parts ...Part) Part {
	if user.ID == 0 {
		return invalid{fmt.Errorf("%w: a text mention of user 0", ErrInvalid)}
	}
	return &span{tg.MessageEntity{Type: TypeTextMention, User: &user}, parts}
}

// Code is inline monospace text; it cannot contain other entities.
func Code(text string) Part { return &leaf{tg.MessageEntity{Type: TypeCode}, text} }

// Pre is a block of preformatted text, highlighted as language when not
// empty; it cannot contain other entities.
func Pre(text, language string) Part {
	return &leaf{tg.MessageEntity{Type: TypePre, Language: language}, text}
}

// CustomEmoji shows the custom emoji id in place of alt, which must be a
// regular emoji (shown where custom emoji are not).
func CustomEmoji(id, alt string) Part {
	if id == "" || alt == "" {
		return invalid{fmt.Errorf("%w: a custom emoji needs an id and an alternative emoji", ErrInvalid)}
	}
	return &leaf{tg.MessageEntity{Type: TypeCustomEmoji, CustomEmojiID: id}, alt}
}

// Join groups parts without an entity, to pass several as one.
func Join(parts ...Part) Part { return group(parts) }

type group []Part

func (g group) write(b *Builder, in nesting) {
	for _, p := range g {
		p.write(b, in)
	}
}

// Builder accumulates parts into a Message. The zero value is ready to
// use. The first invalid part is remembered and returned by Message.
type Builder struct {
	buf  strings.Builder
	n    int // length of buf in UTF-16 code units
	ents []tg.MessageEntity
	err  error
}

// Add appends parts.
func (b *Builder) Add(parts ...Part) *Builder {
	for _, p := range parts {
		p.write(b, nesting{})
	}
	return b
}

// Len returns the length of the text so far in UTF-16 code units, as
// Telegram counts it.
func (b *Builder) Len() int { return b.n }

// Message returns the text and entities built so far, or the first error.
func (b *Builder) Message() (Message, error) {
	if b.err != nil {
		return Message{}, b.err
	}
	return Message{Text: b.buf.String(), Entities: append([]tg.MessageEntity(nil), b.ents...)}, nil
}

func (b *Builder) text(s string) {
	if !utf8.ValidString(s) {
		b.fail(fmt.Errorf("%w: text is not valid UTF-8", ErrInvalid))
		return
	}
	b.buf.WriteString(s)
	b.n += UTF16Len(s)
}

func (b *Builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// Build returns the message made of parts.
func Build(parts ...Part) (Message, error) {
	var b Builder
	return b.Add(parts...).Message()
}

// UTF16Len returns the length of s in UTF-16 code units, the unit of
// Telegram's offsets and length limits.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
