// Package album hands a bot one call per album (media group) instead of
// one per part.
//
// Telegram sends an album as separate message updates that share a
// media_group_id, usually back to back, without saying how many parts
// there are. A Collector stores each part as it comes and calls its
// Handler once the album has been quiet for Config.Quiet (1 s by default),
// with every part in message_id order:
//
//	col := album.New(album.Config{}, func(c *herald.Context, parts []*tg.Message) error {
//		_, err := c.Reply(fmt.Sprintf("%d photos", len(parts)))
//		return err
//	})
//	col.Register(bot.Router())    // messages with a media_group_id
//	go col.Run(ctx, bot)          // the sweep (see below)
//
// # Across instances
//
// The parts are kept in the bot's engine (herald.WithBackend: SQLite,
// Redis, PostgreSQL, or memory for one process), not in the process, so
// the parts of one album may reach different instances of a fleet. Each
// chat's pending albums are one record of the engine's State (under user
// id −1, which no Telegram user has), written with compare-and-set; a
// small index record lists the chats that have some.
//
// Storing a part is all that happens in the update's turn: the chat's next
// update (the album's next part) is not held back. The instance that
// stored a part then checks the chat after Quiet, off the update path,
// with a timer. A check that finds the album still receiving parts
// schedules itself for the new end of the quiet period, so every instance
// that stored a part of an album keeps watching it until it is handed
// over. A quiet album is handed over through Bot.HandleUpdate with an
// update carrying its first part (update_id 0), so the Handler runs in
// the chat's lock, after the bot's middleware, with a full
// herald.Context; there the Collector reads the album again and runs the
// Handler under Context.Once, named after the chat, the media group and
// the first message id, then removes the parts.
//
// # Guarantee
//
// With a shared engine, each album is handed over to one Handler call
// that completes once, in the whole fleet, with the parts stored before it
// went quiet. If the instance that was due to hand an album over dies
// during the quiet period, any other instance that stored one of its
// parts hands it over; if none did, the next sweep (Run, every
// Config.Sweep, on any instance) does; the next part or album in the same
// chat also checks it. If an instance dies inside the Handler, its claim
// lapses (herald.ClaimLease) and a later check runs the Handler again, as
// Context.Once documents: a Handler interrupted half-way may run twice.
// An album that no live instance checks waits for one; its parts expire
// after Config.Keep.
//
// A part that comes more than Quiet after the previous one (a backlog, a
// chat lock held by a slow handler, clocks of instances far apart) is
// handed over in a later call of its own, with the parts that came with
// it. The quiet period is measured on the clocks of the instances, which
// should agree to well under Quiet.
//
// The handover is an extra update through the bot's routers: outer
// middleware sees the first part twice (once stored, once handed over),
// and the Collector must be reachable for that message in the same way
// (register it where routing does not depend on state that may change
// meanwhile: on the root router, before handlers filtered by InState). A message
// without media_group_id that reaches the Collector's Handler is handed
// to the Handler at once, as an album of one.
package album
