package chataction_test

import (
	"fmt"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/chataction"
)

func ExampleKeep() {
	slowReport := func() (string, error) {
		time.Sleep(10 * time.Millisecond) // a query, a render, an upstream call
		return "report ready", nil
	}
	handler := func(c *herald.Context) error {
		// "typing…" is shown at once and kept every 4.5 s until the work returns.
		return chataction.Keep(c, chataction.Typing, func() error {
			text, err := slowReport()
			if err != nil {
				return err
			}
			_, err = c.Reply(text)
			return err
		})
	}
	r := herald.NewRouter("reports") // in a bot: bot.Router()
	r.Command("report", handler)

	// Or around every handler of a router, once one was chosen:
	uploads := herald.NewRouter("uploads")
	uploads.UseInner(chataction.Middleware(chataction.UploadPhoto))
	fmt.Println("repeat every", chataction.Interval)
	// Output: repeat every 4.5s
}
