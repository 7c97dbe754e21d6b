package i18n_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/heraldbot/herald/i18n"
	"github.com/heraldbot/herald/tg"
)

func load(t *testing.T) *i18n.Catalog {
	t.Helper()
	cat, err := i18n.New(os.DirFS("testdata/locales"), "en")
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func TestLookupPluralsAndFallback(t *testing.T) {
	cat := load(t)
	if got := cat.Languages(); strings.Join(got, ",") != "en,de" {
		t.Fatalf("Languages() = %v, want [en de]", got)
	}
	en, de := cat.Localizer("en"), cat.Localizer("de")
	for _, tc := range []struct {
		l     *i18n.Localizer
		id    string
		count int
		want  string
	}{
		{en, "apples", 1, "1 apple"},
		{en, "apples", 0, "0 apples"},
		{en, "apples", 5, "5 apples"},
		{de, "apples", 1, "1 Apfel"},
		{de, "apples", 3, "3 Äpfel"},
	} {
		got, err := tc.l.GetN(tc.id, tc.count, nil)
		if err != nil || got != tc.want {
			t.Errorf("%s GetN(%q, %d) = %q, %v; want %q", tc.l.Lang(), tc.id, tc.count, got, err, tc.want)
		}
	}
	if got, err := de.Get("hello", map[string]any{"Name": "Ada"}); err != nil || got != "Hallo, Ada!" {
		t.Errorf("de hello = %q, %v", got, err)
	}
	// A message the German catalog lacks comes from the default language.
	if got, err := de.Get("only_en", nil); err != nil || got != "Only in English" {
		t.Errorf("de only_en = %q, %v; want the English text", got, err)
	}
}

func TestUnknownMessage(t *testing.T) {
	cat := load(t)
	_, err := cat.Localizer("de").Get("nope", nil)
	if !errors.Is(err, i18n.ErrUnknownMessage) || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("Get(nope) error = %v, want ErrUnknownMessage naming the id", err)
	}
	if got := cat.Localizer("de").T("nope", nil); got != "nope" {
		t.Errorf("T(nope) = %q, want the id", got)
	}
	if err := cat.Check("hello", "apples", "nope"); !errors.Is(err, i18n.ErrUnknownMessage) {
		t.Errorf("Check = %v, want ErrUnknownMessage", err)
	}
	if err := cat.Check("hello", "apples"); err != nil {
		t.Errorf("Check of known ids = %v", err)
	}
}

func TestMatching(t *testing.T) {
	cat := load(t)
	for _, tc := range []struct {
		langs []string
		want  string
	}{
		{nil, "en"},
		{[]string{""}, "en"},
		{[]string{"de"}, "de"},
		{[]string{"de-AT"}, "de"}, // a regional variant finds its language
		{[]string{"fr"}, "en"},    // no catalog: the default
		{[]string{"fr", "de"}, "de"},
		{[]string{"not a tag!", "de"}, "de"},
		{[]string{"en-GB"}, "en"},
	} {
		if got := cat.Localizer(tc.langs...).Lang(); got != tc.want {
			t.Errorf("Localizer(%q) = %s, want %s", tc.langs, got, tc.want)
		}
	}
	if !cat.Supports("de") || cat.Supports("fr") || cat.Supports("") {
		t.Error("Supports: want de yes, fr and \"\" no")
	}
}

func TestLoadErrors(t *testing.T) {
	en := &fstest.MapFile{Data: []byte(`{"hi": "Hi"}`)}
	for _, tc := range []struct {
		name string
		fsys fstest.MapFS
		def  string
		is   error
		says string
	}{
		{"no files", fstest.MapFS{"README.md": {Data: []byte("x")}}, "en", i18n.ErrNoCatalog, "no *.json"},
		{"no default", fstest.MapFS{"de.json": {Data: []byte(`{"hi": "Hallo"}`)}}, "en", i18n.ErrNoCatalog, "default language en"},
		{"unknown id", fstest.MapFS{"en.json": en, "de.json": {Data: []byte(`{"hi": "Hallo", "hy": "Tippfehler"}`)}}, "en", i18n.ErrUnknownMessage, `de.json: i18n: unknown message id "hy"`},
		{"bad json", fstest.MapFS{"en.json": {Data: []byte(`{"hi": `)}}, "en", nil, "en.json"},
		{"bad default", fstest.MapFS{"en.json": en}, "!!", nil, `default language "!!"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := i18n.New(tc.fsys, tc.def)
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("New = %v; want an error wrapping %v saying %q", err, tc.is, tc.says)
			}
		})
	}
	// A file per language with a prefix loads too.
	cat, err := i18n.New(fstest.MapFS{"shop.en.json": en, "shop.de.json": {Data: []byte(`{"hi": "Hallo"}`)}}, "en")
	if err != nil {
		t.Fatal(err)
	}
	if got := cat.Localizer("de").T("hi", nil); got != "Hallo" {
		t.Errorf("de hi = %q", got)
	}
}

func TestCommandParams(t *testing.T) {
	cat := load(t)
	menu := i18n.Menu{Commands: []i18n.Command{{"start", "cmd.start"}, {"lang", "cmd.lang"}}}
	private := i18n.Menu{Scope: &tg.BotCommandScopeAllPrivateChats{}, Commands: menu.Commands[:1]}
	ps := cat.CommandParams(menu, private)
	if len(ps) != 6 {
		t.Fatalf("%d calls, want 6 (default, en, de for each of 2 scopes)", len(ps))
	}
	for i, want := range []struct{ lang, first string }{{"", "Start the bot"}, {"en", "Start the bot"}, {"de", "Bot starten"}} {
		if ps[i].LanguageCode != want.lang || ps[i].Commands[0].Description != want.first || ps[i].Scope != nil {
			t.Errorf("call %d = %+v, want language %q, %q", i, ps[i], want.lang, want.first)
		}
	}
	if ps[5].Scope == nil || ps[5].LanguageCode != "de" || len(ps[5].Commands) != 1 {
		t.Errorf("last call = %+v, want the private scope in German", ps[5])
	}
}
