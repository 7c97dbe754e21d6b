// Package herald is a framework and runtime for Telegram bots.
//
// # Getting started
//
// A bot is four steps: New makes the Bot (its Bot API client, Telegram's
// rate limits and safe retries come with it), its Router takes the
// handlers, Command (or Message, CallbackQuery, …) adds one, and Run
// receives updates until its context ends:
//
//	bot, err := herald.New(os.Getenv("BOT_TOKEN"), herald.ConfigFromEnv())
//	if err != nil {
//		log.Fatal(err)
//	}
//	bot.Router().Command("start", func(c *herald.Context) error {
//		_, err := c.Reply("Hello, " + c.Sender().FirstName + "!")
//		return err
//	})
//	if err := bot.RunWithSignals(context.Background()); err != nil { // Run until Ctrl-C
//		log.Fatal(err)
//	}
//
// ConfigFromEnv reads HERALD_API_URL (the emulator, `herald emulator`, or
// a local Bot API server instead of Telegram) and HERALD_MODE=webhook with
// the HERALD_WEBHOOK_* variables; without them the bot uses long polling.
// Example_run runs these steps against an in-process emulator; the
// program examples/hello adds an inline button, and examples/shop is a
// whole shop (catalog, cart, checkout form, jobs). The sections below
// describe what happens to an update; the Context a handler gets has the
// update (Message, Chat, Sender, Args) and the replies (Reply, ReplyWith,
// Edit, Answer).
//
// # How an update is handled
//
// A Bot receives updates (long polling or webhook, chosen by configuration),
// runs each through a per-chat scheduler, and dispatches it through a tree of
// Routers: outer middleware of a router runs for every update that reaches
// it; the first handler whose kind and filters match, in registration order
// and depth first through included routers, runs inside the inner
// middleware of its router and of the routers above it. Middleware and
// handlers share one signature, Handler; middleware calls c.Next().
//
// # Errors, services, storage
//
// Errors returned by handlers and panics (as *PanicError) go to the nearest
// router error handler (OnError), then up to the bot's, which logs them and
// tells the user something went wrong; the update is acknowledged either way.
//
// Services are provided to the bot with Provide and declared by routers with
// Require, which returns a typed accessor; a required service that was never
// provided makes Run (and Prepare) fail before any update is handled.
//
// Storage is one option, WithBackend: conversation state, update claims,
// Once marks, chat locks, the limiter's buckets, broadcasts and, on SQLite
// or Redis, the update journal all live in one engine. With a journal
// (WithJournal) the receiver confirms updates to Telegram once they are
// durable and workers handle them in per-chat order; WithRole (or
// HERALD_ROLE) splits receiving and handling over processes.
//
// Dispatching an update allocates one value, its Context (BenchmarkDispatch:
// 64 bytes, 1 allocation): chains are built once when the bot starts, and
// commands are found by lookup.
package herald
