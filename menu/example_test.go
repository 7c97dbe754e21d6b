package menu_test

import (
	"fmt"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/menu"
)

func Example() {
	settings := menu.New("set", "Settings").
		Row(menu.Action("lang", "Language", func(p *menu.Press) error { return p.Answer("English it is") })).
		Row(menu.Back("‹ Back"))
	root := menu.New("main", "What would you like?").
		Row(menu.Action("order", "Order", func(p *menu.Press) error { return p.Answer("Ordered!") }),
			menu.Sub("Settings", settings))

	r := herald.NewRouter("menus") // in a bot: bot.Router()
	if err := root.Register(r, menu.Options{Stale: "This menu is out of date."}); err != nil {
		fmt.Println(err)
		return
	}
	// r.Command("start", func(c *herald.Context) error { _, err := root.Send(c); return err })

	for _, m := range []*menu.Menu{root, settings} {
		mk, _ := m.Markup()
		fmt.Println(m.ID() + ":")
		for _, row := range mk.InlineKeyboard {
			for _, b := range row {
				fmt.Printf(" [%s %s]", b.Text, b.CallbackData)
			}
			fmt.Println()
		}
	}
	// Output:
	// main:
	//  [Order main:1:main:order] [Settings main:1:main:@set]
	// set:
	//  [Language main:1:set:lang]
	//  [‹ Back main:1:set:<]
}
