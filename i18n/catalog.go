package i18n

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// ErrNoCatalog is wrapped by New's errors when a catalog is missing: no
// catalog file at all, or none for the default language.
var ErrNoCatalog = errors.New("i18n: missing catalog")

// ErrUnknownMessage is wrapped by the errors about a message id that the
// default language's catalog lacks: in another language's catalog (New),
// in a lookup (Localizer.Get) or in a command menu (SyncCommands).
var ErrUnknownMessage = errors.New("i18n: unknown message id")

// Catalog holds the messages of every language a bot speaks, loaded
// once at start-up; it is immutable and safe for concurrent use.
type Catalog struct {
	bundle  *goi18n.Bundle
	tags    []language.Tag // the default language first
	matcher language.Matcher
	ids     map[string]struct{} // the default catalog's message ids
	locs    []*Localizer        // one per tag, same order
}

// New loads the JSON catalogs in the root of fsys (usually an
// embed.FS): one file per language, named after its BCP 47 tag,
// "en.json", "de.json", or "<anything>.<tag>.json". A file maps message
// ids to texts, or to objects with plural forms ("one", "other", …, as
// CLDR defines them for the language) and an optional "description".
// Texts are Go templates: {{.Name}} reads the data passed to Get.
//
// defaultLang is the language of users whose language has no catalog;
// its catalog must exist and is the reference: every message id of
// another catalog must be in it (a typo there would otherwise only show
// at run time). Errors wrap ErrNoCatalog or ErrUnknownMessage and name
// the file.
func New(fsys fs.FS, defaultLang string) (*Catalog, error) {
	def, err := language.Parse(defaultLang)
	if err != nil {
		return nil, fmt.Errorf("i18n: default language %q: %w", defaultLang, err)
	}
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("i18n: list catalogs: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: no *.json file", ErrNoCatalog)
	}
	bundle := goi18n.NewBundle(def)
	type loaded struct {
		name string
		tag  language.Tag
		ids  []string
	}
	var files []loaded
	ids := map[string]struct{}{}
	for _, name := range names {
		mf, err := bundle.LoadMessageFileFS(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: catalog %s: %w", name, err)
		}
		if mf.Tag == language.Und {
			return nil, fmt.Errorf("i18n: catalog %s: its name does not end in .<language>.json", name)
		}
		f := loaded{name: name, tag: mf.Tag}
		for _, m := range mf.Messages {
			f.ids = append(f.ids, m.ID)
			if mf.Tag == def {
				ids[m.ID] = struct{}{}
			}
		}
		files = append(files, f)
	}
	var tags []language.Tag
	for _, f := range files {
		if !slices.Contains(tags, f.tag) {
			tags = append(tags, f.tag)
		}
	}
	if !slices.Contains(tags, def) {
		have := make([]string, len(tags))
		for i, t := range tags {
			have[i] = t.String()
		}
		return nil, fmt.Errorf("%w for the default language %s (found %s)", ErrNoCatalog, def, strings.Join(have, ", "))
	}
	for _, f := range files {
		for _, id := range f.ids {
			if _, ok := ids[id]; !ok {
				return nil, fmt.Errorf("i18n: catalog %s: %w %q: the default language's catalog (%s) lacks it", f.name, ErrUnknownMessage, id, def)
			}
		}
	}
	// The default first: the matcher falls back to the first tag.
	ordered := []language.Tag{def}
	for _, t := range tags {
		if t != def {
			ordered = append(ordered, t)
		}
	}
	c := &Catalog{bundle: bundle, tags: ordered, matcher: language.NewMatcher(ordered), ids: ids}
	for _, t := range ordered {
		c.locs = append(c.locs, &Localizer{cat: c, tag: t, loc: goi18n.NewLocalizer(bundle, t.String())})
	}
	return c, nil
}

// MustNew is New for catalogs embedded in the program, whose errors are
// programming errors: it panics on error.
func MustNew(fsys fs.FS, defaultLang string) *Catalog {
	c, err := New(fsys, defaultLang)
	if err != nil {
		panic(err)
	}
	return c
}

// Default returns the default language's tag.
func (c *Catalog) Default() string { return c.tags[0].String() }

// Languages returns the tags of the catalog's languages, the default
// first.
func (c *Catalog) Languages() []string {
	out := make([]string, len(c.tags))
	for i, t := range c.tags {
		out[i] = t.String()
	}
	return out
}

// Has reports whether id is a message of the catalog.
func (c *Catalog) Has(id string) bool {
	_, ok := c.ids[id]
	return ok
}

// Check returns an error wrapping ErrUnknownMessage for the first of ids
// the catalog lacks: call it at start-up with the ids a bot uses, so that
// a typo fails there rather than in front of a user.
func (c *Catalog) Check(ids ...string) error {
	for _, id := range ids {
		if !c.Has(id) {
			return fmt.Errorf("%w %q (default language %s)", ErrUnknownMessage, id, c.tags[0])
		}
	}
	return nil
}

// Localizer returns the localizer of the best catalog language for the
// preferences langs, most preferred first (Telegram language codes such
// as "de" or "pt-br", or BCP 47 tags); languages that do not parse are
// skipped, and when none matches it is the default language's.
func (c *Catalog) Localizer(langs ...string) *Localizer {
	var want []language.Tag
	for _, l := range langs {
		if t, err := language.Parse(l); err == nil && l != "" {
			want = append(want, t)
		}
	}
	if len(want) == 0 {
		return c.locs[0]
	}
	_, i, conf := c.matcher.Match(want...)
	if conf == language.No {
		return c.locs[0]
	}
	return c.locs[i]
}

// Supports reports whether lang matches one of the catalog's languages
// (so that a user's choice of it would be honoured).
func (c *Catalog) Supports(lang string) bool {
	t, err := language.Parse(lang)
	if err != nil || lang == "" {
		return false
	}
	_, _, conf := c.matcher.Match(t)
	return conf != language.No
}

// base returns the two-letter code Telegram's command menus take for t.
func base(t language.Tag) string {
	b, _ := t.Base()
	return b.String()
}
