// Package broadcast sends one message to many chats — a campaign — at the
// highest rate Telegram's limits allow, durably: every recipient's state
// is stored, a stopped or crashed campaign resumes where it was, and no
// recipient is sent the message twice.
//
//	store := db.Broadcasts()                           // any engine (backend.Backend); memory.NewBroadcasts() in tests
//	c, err := store.Create(ctx, broadcast.Campaign{Message: broadcast.Message{Text: "News!"}}, chatIDs, time.Now())
//	lim := limit.New(limit.Config{})
//	bot, _ := tg.New(token, tg.WithMiddleware(limit.Retry(limit.RetryConfig{}), lim.Middleware()))
//	p, err := broadcast.Run(ctx, bot, store, c.ID, broadcast.Options{OnProgress: show})
//
// The command "herald broadcast" does the same from a file of chat ids,
// with a progress bar.
//
// The Store is the engine's (backend.Backend.Broadcasts): the campaigns
// live where the bot's state does. backend/sqlite keeps them in its file;
// backend/memory forgets them with the process.
//
// # Rate
//
// Run keeps Options.Concurrency sends in flight; the limiter on the client
// decides when each goes (by default 25 messages/s per bot, one per 1.1 s
// per chat, 18/min per group: Telegram's limits less a margin; 1000/s for
// a Paid campaign with limit.Config.PaidBroadcast), and pauses the chat
// (or, for a 429 without a chat, everyone) after a 429. Sends carry limit.Bulk priority, so the
// bot's replies to users (Interactive) take the next free slot. On the
// emulator with Telegram's limits a campaign runs at the limit itself
// (ratio 1.00 of the limiter's 25/s, zero 429s).
//
// # States and exactly once
//
// A recipient is Pending until it is sent to, then Sent (with the message
// id), Blocked (403: the user blocked the bot), Failed (a 4xx, or
// transient failures — 429 after the limiter's retries, a request that
// could not leave — on all of Options.MaxAttempts attempts) or Skipped
// (in doubt, below). Transient failures are tried again in a later pass.
// A 5xx answer is in doubt, not transient: it may come after Telegram
// posted the message (package limit does not repeat sends on a 5xx for
// the same reason).
//
// The Bot API has no idempotency key, so the one thing no program can know
// after a crash is whether a request that had left was executed. Run
// keeps that window as small as it can be: the recipient is marked
// Sending in the Store at the last moment before the request leaves —
// after the limiter's wait, when the HTTP transport hands it a connection
// (httptrace GotConn) — and marked with its result as soon as the answer
// arrives. A recipient found Sending when a campaign resumes was therefore
// on the wire at the crash; it is "in doubt". The default policy is at
// most once: it becomes Skipped, with the reason, and is reported. With
// Options.ResendInDoubt it is sent again (at least once). Recipients that
// were waiting in the limiter were never marked and are simply sent.
//
// In practice a recipient in doubt has its message: to get none, the
// process must die in the microseconds between the Sending mark and the
// request's last byte on a connection already open, while the wider window
// — after Telegram executed the request, before the result is written —
// leaves a delivered message marked in doubt, which at-most-once handles
// correctly. Sends are spaced by the limiter (33 ms at 30/s), so a kill
// usually finds no request on the wire at all. The tests kill the
// "herald broadcast" process with SIGKILL mid-campaign and check, in the
// emulator's transcripts, that every recipient has exactly one message
// after the resume.
//
// A request that left but got no answer (connection reset, timeout) is in
// doubt in the same way and follows the same policy. Ending Run's context
// stops the sends waiting for the limiter at once and gives those already
// on the wire Options.StopGrace to answer, so that a clean stop (Ctrl-C)
// leaves nobody in doubt.
//
// # One runner per campaign
//
// Run holds a lease on the campaign in the Store, renewed while it runs,
// so that two runners never send the same campaign (ErrBusy). The lease of
// a runner that died on the same host (its process is gone) is taken over
// at once; otherwise after Options.LeaseTTL.
package broadcast
