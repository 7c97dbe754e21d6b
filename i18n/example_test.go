package i18n_test

import (
	"fmt"
	"testing/fstest"

	"github.com/heraldbot/herald/i18n"
)

func Example() {
	// Usually an embed.FS; one JSON file per language.
	locales := fstest.MapFS{
		"en.json": {Data: []byte(`{
			"greet": "Hello, {{.Name}}!",
			"cart": {"one": "{{.Count}} item in your cart", "other": "{{.Count}} items in your cart"}
		}`)},
		"de.json": {Data: []byte(`{
			"greet": "Hallo, {{.Name}}!",
			"cart": {"one": "{{.Count}} Artikel im Warenkorb", "other": "{{.Count}} Artikel im Warenkorb"}
		}`)},
	}
	cat, err := i18n.New(locales, "en")
	if err != nil {
		fmt.Println(err)
		return
	}
	// In a handler: i18n.From(c) after cat.Middleware(); here by the
	// Telegram language_code of three users.
	for _, code := range []string{"de", "en-US", "fr"} {
		l := cat.Localizer(code)
		fmt.Printf("%s → %s: %s %s\n", code, l.Lang(), l.T("greet", map[string]any{"Name": "Ada"}), l.N("cart", 1, nil))
	}
	_, err = cat.Localizer("de").Get("gret", nil)
	fmt.Println(err)
	// Output:
	// de → de: Hallo, Ada! 1 Artikel im Warenkorb
	// en-US → en: Hello, Ada! 1 item in your cart
	// fr → en: Hello, Ada! 1 item in your cart
	// i18n: unknown message id "gret" (language de)
}
