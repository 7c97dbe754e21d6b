// Package chataction keeps a chat action ("typing…", "sending photo…")
// visible while a slow handler runs.
//
// Telegram shows a chat action for 5 seconds or until the bot's next
// message, so an action that should last as long as the work must be sent
// again. Keep sends it at once and every Interval (4.5 s) until the work
// returns or the update's context ends:
//
//	r.Command("report", func(c *herald.Context) error {
//		return chataction.Keep(c, chataction.Typing, func() error {
//			text, err := slowReport(c)
//			if err != nil {
//				return err
//			}
//			_, err = c.Reply(text)
//			return err
//		})
//	})
//
// Middleware does the same around the rest of a handler chain
// (r.UseInner(chataction.Middleware(chataction.UploadPhoto))).
//
// The actions go through the bot's client, so its limiter and 429 pauses
// apply; sendChatAction does not count toward the message limits (see
// package limit), and one kept action sends at most one request per
// Interval, never two at once. A failed send is logged at debug level and
// never fails the handler; after a 400 or 403 (chat gone, bot blocked)
// the repeats stop, since they would fail the same way.
package chataction
