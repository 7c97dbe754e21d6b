package format

import (
	"errors"
	"reflect"
	"testing"

	"github.com/heraldbot/herald/tg"
)

func ent(typ string, off, n int64) tg.MessageEntity {
	return tg.MessageEntity{Type: typ, Offset: off, Length: n}
}

func TestBuildOffsetsInUTF16(t *testing.T) {
	// "😀" is 2 UTF-16 units (4 bytes), "é" 1 unit (2 bytes), "𝄞" 2 units.
	m, err := Build(Text("😀 "), Bold(Text("é"), Italic(Text("𝄞x"))), Text(" "), Code("a😀"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "😀 é𝄞x a😀" {
		t.Errorf("text %q", m.Text)
	}
	want := []tg.MessageEntity{ent(TypeBold, 3, 4), ent(TypeItalic, 4, 3), ent(TypeCode, 8, 3)}
	if !reflect.DeepEqual(m.Entities, want) {
		t.Errorf("entities\n got %+v\nwant %+v", m.Entities, want)
	}
	if m.Len() != 11 {
		t.Errorf("Len = %d", m.Len())
	}
}

func TestBuildEveryEntity(t *testing.T) {
	u := tg.User{ID: 42, FirstName: "Ann"}
	m, err := Build(
		Bold(Text("b")), Italic(Text("i")), Underline(Text("u")), Strikethrough(Text("s")), Spoiler(Text("p")),
		Code("c"), Pre("go", "go"), Link("https://e.com", Text("l")), Mention(u, Text("m")),
		CustomEmoji("5368324170671202286", "👍"), Blockquote(Text("q")), ExpandableBlockquote(Bold(Text("x"))),
	)
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "biuspcgolm👍qx" {
		t.Errorf("text %q", m.Text)
	}
	want := []tg.MessageEntity{
		ent(TypeBold, 0, 1), ent(TypeItalic, 1, 1), ent(TypeUnderline, 2, 1), ent(TypeStrikethrough, 3, 1),
		ent(TypeSpoiler, 4, 1), ent(TypeCode, 5, 1), {Type: TypePre, Offset: 6, Length: 2, Language: "go"},
		{Type: TypeTextLink, Offset: 8, Length: 1, URL: "https://e.com"}, {Type: TypeTextMention, Offset: 9, Length: 1, User: &u},
		{Type: TypeCustomEmoji, Offset: 10, Length: 2, CustomEmojiID: "5368324170671202286"},
		ent(TypeBlockquote, 12, 1), ent(TypeExpandableBlockquote, 13, 1), ent(TypeBold, 13, 1),
	}
	if !reflect.DeepEqual(m.Entities, want) {
		t.Errorf("entities\n got %+v\nwant %+v", m.Entities, want)
	}
}

func TestBuildNestingAndEmpty(t *testing.T) {
	// Outer entities come before inner ones at the same offset; empty
	// entities are left out.
	m, err := Build(Blockquote(Bold(Italic(Text("ab")), Underline()), Link("https://e.com", Bold(Text("c")))), Spoiler(Join()))
	if err != nil {
		t.Fatal(err)
	}
	want := []tg.MessageEntity{
		ent(TypeBlockquote, 0, 3), ent(TypeBold, 0, 2), ent(TypeItalic, 0, 2),
		{Type: TypeTextLink, Offset: 2, Length: 1, URL: "https://e.com"}, ent(TypeBold, 2, 1),
	}
	if !reflect.DeepEqual(m.Entities, want) {
		t.Errorf("entities\n got %+v\nwant %+v", m.Entities, want)
	}
}

func TestBuildInvalid(t *testing.T) {
	for name, p := range map[string]Part{
		"nested quote":     Blockquote(Text("a"), ExpandableBlockquote(Text("b"))),
		"link in link":     Link("https://a", Link("https://b", Text("x"))),
		"mention in link":  Link("https://a", Mention(tg.User{ID: 1}, Text("x"))),
		"empty url":        Link("", Text("x")),
		"user 0":           Mention(tg.User{}, Text("x")),
		"emoji without id": CustomEmoji("", "👍"),
		"bad utf-8":        Bold(Text("a\xffb")),
		"bad utf-8 code":   Code("\xc3"),
	} {
		if _, err := Build(Text("ok "), p); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func TestBuilderIncremental(t *testing.T) {
	var b Builder
	b.Add(Text("Total: ")).Add(Bold(Text("3 €")))
	if b.Len() != 10 {
		t.Errorf("Len = %d", b.Len())
	}
	m, err := b.Message()
	if err != nil || m.Text != "Total: 3 €" || !reflect.DeepEqual(m.Entities, []tg.MessageEntity{ent(TypeBold, 7, 3)}) {
		t.Errorf("%+v, %v", m, err)
	}
	p := m.SendParams(tg.ID(5))
	if p.Text != m.Text || len(p.Entities) != 1 || p.ChatID != tg.ID(5) {
		t.Errorf("SendParams = %+v", p)
	}
}
