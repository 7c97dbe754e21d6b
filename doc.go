// Package herald is a framework and runtime for Telegram bots.
//
// A Bot receives updates (long polling or webhook, chosen by configuration),
// runs each through a per-chat scheduler, and dispatches it through a tree of
// Routers: outer middleware of a router runs for every update that reaches
// it; the first handler whose kind and filters match, in registration order
// and depth first through included routers, runs inside the inner
// middleware of its router and of the routers above it. Middleware and
// handlers share one signature, Handler; middleware calls c.Next().
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
// Dispatching an update allocates nothing: chains are built once when the
// bot starts, and commands are found by lookup.
package herald
