package keyboard_test

import (
	"fmt"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/keyboard"
	"github.com/heraldbot/herald/tg"
)

func ExampleInline() {
	type vote struct{ Choice string }
	votes := herald.MustCallbackData[vote]("vote")
	yes, err1 := keyboard.Typed(votes, "Yes", vote{"yes"})
	no, err2 := keyboard.Typed(votes, "No", vote{"no"})
	var k keyboard.Inline
	mk, err := k.AddErr(err1).AddErr(err2).
		Adjust([]tg.InlineKeyboardButton{yes, no, keyboard.Callback("Later", "later")}, 2).
		Row(keyboard.URL("Rules", "https://example.com/rules")).
		Markup()
	if err != nil {
		fmt.Println(err)
		return
	}
	printInline(mk)
	// Output:
	// [Yes vote:yes] [No vote:no]
	// [Later later]
	// [Rules https://example.com/rules]
}

func ExamplePager() {
	type product struct{ ID int }
	products := herald.MustCallbackData[product]("product")
	pager, err := keyboard.NewPager(keyboard.PagerConfig[product]{
		Prefix: "products", Items: products, PerPage: 2,
		Label: func(p product) string { return fmt.Sprint("#", p.ID) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	all := []product{{1}, {2}, {3}, {4}, {5}}
	mk, page, _ := pager.Markup(all, 1)
	fmt.Println("page", page+1, "of", pager.Pages(len(all)))
	printInline(mk)
	// In a bot: send mk with the first page, and register
	//	r.CallbackQuery(pager.Handler(list, text), pager.Filter())
	//	r.CallbackQuery(showProduct, products.Filter())
	// Output:
	// page 2 of 3
	// [#3 product:3] [#4 product:4]
	// [‹ products:0] [2/3 products:1] [› products:2]
}

func ExampleReply() {
	var k keyboard.Reply
	mk, err := k.Adjust([]tg.KeyboardButton{keyboard.Button("Menu"), keyboard.Button("Cart"), keyboard.Button("Help")}, 2).
		Row(keyboard.Contact("Share my phone")).Resize().OneTime().Markup()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, row := range mk.Keyboard {
		var cells []string
		for _, b := range row {
			cells = append(cells, "["+b.Text+"]")
		}
		fmt.Println(strings.Join(cells, " "))
	}
	fmt.Println(mk.ResizeKeyboard, mk.OneTimeKeyboard)
	// Output:
	// [Menu] [Cart]
	// [Help]
	// [Share my phone]
	// true true
}

// printInline prints an inline keyboard, one row a line.
func printInline(mk *tg.InlineKeyboardMarkup) {
	for _, row := range mk.InlineKeyboard {
		var cells []string
		for _, b := range row {
			cells = append(cells, "["+b.Text+" "+b.CallbackData+b.URL+"]")
		}
		fmt.Println(strings.Join(cells, " "))
	}
}
