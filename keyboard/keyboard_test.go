package keyboard

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/tg"
)

func TestAdjust(t *testing.T) {
	items := []int{1, 2, 3, 4, 5, 6, 7}
	for _, c := range []struct {
		sizes []int
		want  [][]int
	}{
		{[]int{3}, [][]int{{1, 2, 3}, {4, 5, 6}, {7}}},
		{[]int{1, 2}, [][]int{{1}, {2, 3}, {4, 5}, {6, 7}}},
		{[]int{2, 1, 4}, [][]int{{1, 2}, {3}, {4, 5, 6, 7}}},
		{[]int{10}, [][]int{{1, 2, 3, 4, 5, 6, 7}}},
	} {
		got, err := Adjust(items, c.sizes...)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Adjust(%v) = %v, %v; want %v", c.sizes, got, err, c.want)
		}
	}
	if rows, err := Adjust([]int{}, 2); err != nil || rows != nil {
		t.Errorf("no items: %v, %v", rows, err)
	}
	for _, sizes := range [][]int{nil, {0}, {2, -1}} {
		if _, err := Adjust(items, sizes...); !errors.Is(err, ErrInvalid) {
			t.Errorf("Adjust(%v): err = %v", sizes, err)
		}
	}
	// Rows do not share capacity: appending to one does not change the next.
	rows, _ := Adjust(items, 2)
	_ = append(rows[0], 99)
	if rows[1][0] != 3 {
		t.Errorf("rows share memory")
	}
}

type item struct {
	Name string
	ID   int
}

func TestInline(t *testing.T) {
	cd := herald.MustCallbackData[item]("it")
	a, err := Typed(cd, "A", item{"a", 1})
	if err != nil {
		t.Fatal(err)
	}
	var k Inline
	mk, err := k.Row(URL("site", "https://example.com")).
		Adjust([]tg.InlineKeyboardButton{a, Callback("B", "b"), CopyText("C", "c"), WebApp("D", "https://example.com/app"), SwitchInline("E", "q")}, 2).
		Markup()
	if err != nil {
		t.Fatal(err)
	}
	var shape []int
	for _, r := range mk.InlineKeyboard {
		shape = append(shape, len(r))
	}
	if !reflect.DeepEqual(shape, []int{1, 2, 2, 1}) || mk.InlineKeyboard[1][0].CallbackData != "it:a:1" {
		t.Errorf("keyboard %+v", mk.InlineKeyboard)
	}
}

func TestInlineInvalid(t *testing.T) {
	cd := herald.MustCallbackData[item]("it")
	_, tooLong := Typed(cd, "x", item{Name: strings.Repeat("n", 70)})
	if !errors.Is(tooLong, herald.ErrCallbackDataTooLong) {
		t.Errorf("Typed: %v", tooLong)
	}
	many := make([]tg.InlineKeyboardButton, 101)
	for i := range many {
		many[i] = Callback("b", "d")
	}
	for name, k := range map[string]*Inline{
		"no text":     new(Inline).Row(Callback("", "d")),
		"no action":   new(Inline).Row(tg.InlineKeyboardButton{Text: "t"}),
		"two actions": new(Inline).Row(tg.InlineKeyboardButton{Text: "t", URL: "https://e.com", CallbackData: "d"}),
		"long data":   new(Inline).Row(Callback("t", strings.Repeat("d", 65))),
		"101 buttons": new(Inline).Adjust(many, 8),
		"bad adjust":  new(Inline).Adjust(many[:2], 0),
		"kept Typed":  new(Inline).AddErr(tooLong).Row(Callback("t", "d")),
	} {
		if _, err := k.Markup(); err == nil {
			t.Errorf("%s: no error", name)
		} else if name != "kept Typed" && !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v does not wrap ErrInvalid", name, err)
		}
	}
}

func TestReply(t *testing.T) {
	var k Reply
	mk, err := k.Adjust([]tg.KeyboardButton{Button("1"), Button("2"), Button("3")}, 2).
		Row(Contact("phone"), Location("where")).Resize().OneTime().Persistent().Selective().Placeholder("pick").Markup()
	if err != nil {
		t.Fatal(err)
	}
	want := &tg.ReplyKeyboardMarkup{
		Keyboard: [][]tg.KeyboardButton{{Button("1"), Button("2")}, {Button("3")},
			{{Text: "phone", RequestContact: true}, {Text: "where", RequestLocation: true}}},
		IsPersistent: true, ResizeKeyboard: true, OneTimeKeyboard: true, InputFieldPlaceholder: "pick", Selective: true,
	}
	if !reflect.DeepEqual(mk, want) {
		t.Errorf("got %+v\nwant %+v", mk, want)
	}
	for name, k := range map[string]*Reply{
		"empty":       {},
		"no text":     new(Reply).Row(Button("")),
		"placeholder": new(Reply).Row(Button("a")).Placeholder(strings.Repeat("p", 65)),
	} {
		if _, err := k.Markup(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if !Remove().RemoveKeyboard {
		t.Error("Remove")
	}
}

func TestPagerMarkup(t *testing.T) {
	cd := herald.MustCallbackData[item]("it")
	p, err := NewPager(PagerConfig[item]{Prefix: "pg", Items: cd, Label: func(i item) string { return i.Name }, PerPage: 3, Columns: 2})
	if err != nil {
		t.Fatal(err)
	}
	var all []item
	for i := range 7 {
		all = append(all, item{string(rune('a' + i)), i})
	}
	texts := func(mk *tg.InlineKeyboardMarkup) (out [][]string) {
		for _, r := range mk.InlineKeyboard {
			var row []string
			for _, b := range r {
				row = append(row, b.Text+"="+b.CallbackData)
			}
			out = append(out, row)
		}
		return out
	}
	for _, c := range []struct {
		page, shown int
		want        [][]string
	}{
		{0, 0, [][]string{{"a=it:a:0", "b=it:b:1"}, {"c=it:c:2"}, {"1/3=pg:0", "›=pg:1"}}},
		{1, 1, [][]string{{"d=it:d:3", "e=it:e:4"}, {"f=it:f:5"}, {"‹=pg:0", "2/3=pg:1", "›=pg:2"}}},
		{9, 2, [][]string{{"g=it:g:6"}, {"‹=pg:1", "3/3=pg:2"}}},
		{-1, 0, [][]string{{"a=it:a:0", "b=it:b:1"}, {"c=it:c:2"}, {"1/3=pg:0", "›=pg:1"}}},
	} {
		mk, shown, err := p.Markup(all, c.page)
		if err != nil || shown != c.shown || !reflect.DeepEqual(texts(mk), c.want) {
			t.Errorf("page %d: shown %d, %v, %v; want %d, %v", c.page, shown, texts(mk), err, c.shown, c.want)
		}
	}
	// One page: no navigation row; no items: an empty keyboard.
	if mk, _, _ := p.Markup(all[:2], 0); len(mk.InlineKeyboard) != 1 {
		t.Errorf("one page: %v", texts(mk))
	}
	if mk, _, err := p.Markup(nil, 0); err != nil || len(mk.InlineKeyboard) != 0 {
		t.Errorf("empty: %v, %v", mk, err)
	}
	for name, cfg := range map[string]PagerConfig[item]{
		"no items":   {Prefix: "pg", Label: func(item) string { return "" }},
		"no label":   {Prefix: "pg", Items: cd},
		"bad prefix": {Prefix: "a:b", Items: cd, Label: func(item) string { return "" }},
	} {
		if _, err := NewPager(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
