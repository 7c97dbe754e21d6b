package format_test

import (
	"fmt"
	"strings"

	"github.com/heraldbot/herald/format"
	"github.com/heraldbot/herald/tg"
)

func ExampleBuild() {
	m, err := format.Build(
		format.Text("Hi 😀 "), // the emoji counts 2 UTF-16 units
		format.Bold(format.Text("bold "), format.Italic(format.Text("both"))),
		format.Text(" "),
		format.Link("https://example.com", format.Text("link")),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%q\n", m.Text)
	for _, e := range m.Entities {
		fmt.Println(e.Type, e.Offset, e.Length, e.URL != "")
	}
	// then: client.SendMessage(ctx, m.SendParams(tg.ID(chatID)))
	_ = m.SendParams(tg.ID(1))
	// Output:
	// "Hi 😀 bold both link"
	// bold 6 9 false
	// italic 11 4 false
	// text_link 16 4 true
}

func ExampleMessage_Split() {
	m, _ := format.Build(format.Bold(format.Text(strings.Repeat("😀", 3000))))
	parts, err := m.Split(format.MaxText)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range parts {
		fmt.Println(p.Len(), p.Entities[0].Type, p.Entities[0].Offset, p.Entities[0].Length)
	}
	// Output:
	// 4096 bold 0 4096
	// 1904 bold 0 1904
}

func ExampleEscapeMarkdownV2() {
	name := "Ann_B. (admin)"
	fmt.Println("*" + format.EscapeMarkdownV2(name) + "*")
	fmt.Println("`" + format.EscapeMarkdownV2Code("a`b") + "`")
	fmt.Println(format.EscapeHTML("<b> & </b>"))
	// Output:
	// *Ann\_B\. \(admin\)*
	// `a\`b`
	// &lt;b&gt; &amp; &lt;/b&gt;
}
