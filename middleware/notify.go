package middleware

import (
	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/tg"
)

// notify tells the sender text: as the answer to a button press (an alert
// if alert is set), else as a reply in the update's chat. Updates with
// neither get nothing.
func notify(c *herald.Context, text string, alert bool) error {
	if c.Kind() == herald.KindCallbackQuery {
		return c.AnswerWith(tg.AnswerCallbackQueryParams{Text: text, ShowAlert: alert})
	}
	if c.Chat() == nil {
		return nil
	}
	_, err := c.Reply(text)
	return err
}
