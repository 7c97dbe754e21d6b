package shopbot

import (
	"embed"
	"io/fs"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/i18n"
)

// locales are the shop's message catalogs, one JSON file per language.
//
//go:embed locales/*.json
var locales embed.FS

// DefaultLanguage is the language of customers whose language the shop
// does not speak.
const DefaultLanguage = "en"

// loadTexts loads the shop's catalogs.
func loadTexts() (*i18n.Catalog, error) {
	sub, err := fs.Sub(locales, "locales")
	if err != nil {
		return nil, err
	}
	return i18n.New(sub, DefaultLanguage)
}

// menus are the shop's command menus: every command for everyone.
var menus = []i18n.Menu{{Commands: []i18n.Command{
	{Name: "start", Description: "cmd.start"},
	{Name: "catalog", Description: "cmd.catalog"},
	{Name: "cart", Description: "cmd.cart"},
	{Name: "orders", Description: "cmd.orders"},
	{Name: "cancel", Description: "cmd.cancel"},
	{Name: "help", Description: "cmd.help"},
	{Name: "language", Description: "cmd.language"},
}}}

// loc is the customer's localizer (set by the catalog's middleware).
func (h *handlers) loc(c *herald.Context) *i18n.Localizer { return h.shop.texts.For(c) }
