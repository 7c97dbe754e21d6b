// Package i18n speaks each user's language: message catalogs with
// plural forms (on github.com/nicksnyder/go-i18n/v2, with CLDR's plural
// rules), a per-user locale, and localized command menus.
//
// Catalogs are JSON files, one per language, usually embedded in the
// program:
//
//	//go:embed locales/*.json
//	var locales embed.FS
//	cat, err := i18n.New(must(fs.Sub(locales, "locales")), "en")
//
// en.json maps message ids to texts (Go templates) or plural forms:
//
//	{
//	  "hello": "Hello, {{.Name}}!",
//	  "items": {"one": "{{.Count}} item", "other": "{{.Count}} items"}
//	}
//
// The default language's catalog is the reference: New refuses a catalog
// with an id it lacks, and a message another language lacks is shown in
// the default language.
//
// A user's language is, in order: the language they chose (SetLang,
// kept as typed FSM data under PrefsKey, in the bot's FSM storage, with
// no TTL), their Telegram language_code, the default language. The
// catalog's Middleware resolves it once per update; handlers read it
// with From (or cat.For):
//
//	r.Use(cat.Middleware())
//	r.Command("start", func(c *herald.Context) error {
//		_, err := c.Reply(i18n.From(c).T("hello", map[string]any{"Name": c.Sender().FirstName}))
//		return err
//	})
//
// SyncCommands publishes command menus at start-up, one setMyCommands per
// scope and language (with language_code), plus the default language for
// everyone else.
package i18n
