// Package business sends answers back where a message came from,
// including business chats and the topics of forums and of channel
// direct-messages chats.
//
// A message a bot receives through a business connection (a business
// account that connected the bot) is answered on behalf of that account
// only when the answer carries the message's business_connection_id;
// without it the Bot API tries the bot's own chat with that user. In a
// forum the answer needs the topic's message_thread_id, and in a
// channel's direct-messages chat the direct_messages_topic_id.
// herald.Context.Reply and this package's Reply fill in all four, and
// Target does it for other send and edit methods. A conversation (FSM)
// in a business chat is keyed by the connection too, so it is not the
// one the same user has in the bot's own chat:
//
//	r.BusinessMessage(func(c *herald.Context) error {
//		_, err := business.Reply(c, "Thanks, we will get back to you today.")
//		return err
//	})
//
//	t, _ := business.TargetOf(c)
//	_, err := c.Client().SendPhoto(c, t.Photo(tg.SendPhotoParams{Photo: tg.FileID(id)}))
//
// Fields set by the caller are kept: Target fills only a zero ChatID and
// the fields that go with it.
package business
