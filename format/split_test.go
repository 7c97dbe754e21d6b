package format

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/heraldbot/herald/tg"
)

// coverage maps each entity (type and attributes) to the UTF-16 units of
// the whole text it covers, so that a split can be compared with the
// original.
func coverage(ms []Message) map[string][]bool {
	out := map[string][]bool{}
	total := 0
	for _, m := range ms {
		total += m.Len()
	}
	base := 0
	for _, m := range ms {
		for _, e := range m.Entities {
			k := e.Type + "|" + e.URL + "|" + e.Language + "|" + e.CustomEmojiID
			if out[k] == nil {
				out[k] = make([]bool, total)
			}
			for i := range e.Length {
				out[k][base+int(e.Offset+i)] = true
			}
		}
		base += m.Len()
	}
	return out
}

// checkSplit checks the invariants of a split of m at max.
func checkSplit(t *testing.T, m Message, max int, parts []Message) {
	t.Helper()
	var joined strings.Builder
	for i, p := range parts {
		joined.WriteString(p.Text)
		if p.Len() > max || p.Len() == 0 {
			t.Errorf("part %d has %d units (max %d)", i, p.Len(), max)
		}
		if strings.ContainsRune(p.Text, '\uFFFD') {
			t.Errorf("part %d has a broken surrogate pair: %q", i, p.Text)
		}
		for _, e := range p.Entities {
			if e.Offset < 0 || e.Length <= 0 || int(e.Offset+e.Length) > p.Len() {
				t.Errorf("part %d: entity %+v outside %d units", i, e, p.Len())
			}
		}
	}
	if joined.String() != m.Text {
		t.Errorf("parts joined differ from the text")
	}
	if got, want := coverage(parts), coverage([]Message{m}); !reflect.DeepEqual(got, want) {
		t.Errorf("entity coverage changed by the split")
	}
}

func TestSplitShortIsUnchanged(t *testing.T) {
	m, _ := Build(Bold(Text("hi")))
	parts, err := m.Split(MaxText)
	if err != nil || len(parts) != 1 || !reflect.DeepEqual(parts[0], m) {
		t.Errorf("%+v, %v", parts, err)
	}
}

func TestSplitPrefersLineBreaksThenSpaces(t *testing.T) {
	m := Message{Text: "aaaa bbbb\ncccc dddd eeee"}
	parts, err := m.Split(12)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, p := range parts {
		texts = append(texts, p.Text)
	}
	if want := []string{"aaaa bbbb\n", "cccc dddd ", "eeee"}; !reflect.DeepEqual(texts, want) {
		t.Errorf("texts %q, want %q", texts, want)
	}
	checkSplit(t, m, 12, parts)
}

func TestSplitEntityAcrossCut(t *testing.T) {
	// A bold run of 10 emoji (20 units) with a link inside, cut at 7
	// units: no space, so at the limit moved back off the surrogate pair.
	m, err := Build(Text("x"), Bold(Text("😀😀😀"), Link("https://e.com", Text("😀😀😀😀")), Text("😀😀😀")))
	if err != nil {
		t.Fatal(err)
	}
	parts, err := m.Split(7)
	if err != nil {
		t.Fatal(err)
	}
	checkSplit(t, m, 7, parts)
	if parts[0].Text != "x😀😀😀" || len(parts) != 4 {
		t.Fatalf("parts %+v", parts)
	}
	want := []tg.MessageEntity{ent(TypeBold, 0, 6), {Type: TypeTextLink, URL: "https://e.com", Offset: 0, Length: 6}}
	if !reflect.DeepEqual(parts[1].Entities, want) {
		t.Errorf("part 1 entities %+v, want %+v", parts[1].Entities, want)
	}
}

func TestSplitDoesNotBreakCustomEmoji(t *testing.T) {
	m, err := Build(Text("abcde"), CustomEmoji("1", "👍"), Text("fgh"))
	if err != nil {
		t.Fatal(err)
	}
	parts, err := m.Split(6) // the limit falls inside the custom emoji: cut before it
	if err != nil {
		t.Fatal(err)
	}
	checkSplit(t, m, 6, parts)
	if parts[0].Text != "abcde" || parts[1].Entities[0].Type != TypeCustomEmoji || parts[1].Entities[0].Offset != 0 {
		t.Errorf("parts %+v", parts)
	}
}

func TestSplitErrors(t *testing.T) {
	long := Message{Text: "👍👍👍", Entities: []tg.MessageEntity{{Type: TypeCustomEmoji, Offset: 0, Length: 6, CustomEmojiID: "1"}}}
	for name, c := range map[string]struct {
		m   Message
		max int
	}{
		"limit":           {Message{Text: "abc"}, 1},
		"utf-8":           {Message{Text: "ab\xff"}, 10},
		"outside":         {Message{Text: "abc", Entities: []tg.MessageEntity{ent(TypeBold, 2, 2)}}, 10},
		"empty entity":    {Message{Text: "abc", Entities: []tg.MessageEntity{ent(TypeBold, 1, 0)}}, 10},
		"atomic too long": {long, 4},
	} {
		if _, err := c.m.Split(c.max); !errors.Is(err, ErrCannotSplit) {
			t.Errorf("%s: err = %v, want ErrCannotSplit", name, err)
		}
	}
}

func TestSplitRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"a", "hello", "😀", "é", "𝄞𝄞", " ", "\n", "中文", "word "}
	text := func() Part {
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			b.WriteString(words[rng.IntN(len(words))])
		}
		return Text(b.String())
	}
	for round := range 300 {
		var parts []Part
		for range 1 + rng.IntN(30) {
			switch rng.IntN(7) {
			case 0:
				parts = append(parts, Bold(text(), Italic(text())))
			case 1:
				parts = append(parts, Link("https://e.com/"+string(rune('a'+rng.IntN(3))), text()))
			case 2:
				parts = append(parts, Pre(string(text().(Text)), "go"))
			case 3:
				parts = append(parts, CustomEmoji("7", "👍"))
			case 4:
				parts = append(parts, Blockquote(Spoiler(text()), text()))
			default:
				parts = append(parts, text())
			}
		}
		m, err := Build(parts...)
		if err != nil {
			t.Fatal(err)
		}
		max := 2 + rng.IntN(40)
		got, err := m.Split(max)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		checkSplit(t, m, max, got)
		if t.Failed() {
			t.Fatalf("round %d, max %d: %q", round, max, m.Text)
		}
	}
}

func TestSplitAtMaxText(t *testing.T) {
	// 3000 emoji = 6000 units, all bold: two messages, bold each.
	m, _ := Build(Bold(Text(strings.Repeat("😀", 3000))))
	parts, err := m.Split(MaxText)
	if err != nil {
		t.Fatal(err)
	}
	checkSplit(t, m, MaxText, parts)
	if len(parts) != 2 || parts[0].Len() != 4096 || len(utf16.Encode([]rune(parts[1].Text))) != 1904 {
		t.Errorf("lengths %d, %d", parts[0].Len(), parts[1].Len())
	}
}
