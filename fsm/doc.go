// Package fsm keeps conversation state: a state name and typed data per
// conversation key.
//
// Most bots need one of the two packages built on it, and can start
// there:
//
//   - [github.com/heraldbot/herald/fsm/form]: a multi-step form that
//     fills a typed struct (questions, validation, Back, Skip, Cancel, a
//     summary with Confirm and Edit); examples/form is a whole bot with one.
//   - [github.com/heraldbot/herald/fsm/scene]: parts of a larger bot (a
//     shop, a settings menu) whose handlers run only while the user is in
//     them, with enter and leave hooks and typed data.
//
// This package is what they use, for conversations of your own design.
// State lives in a backend.State (the State of an engine's
// backend.Backend: memory, SQLite, Redis or Postgres) with optimistic
// concurrency (versions) and a time to live. The per-chat locks and the
// claims behind update de-duplication and idempotent actions are the
// engine's too (backend.Locker, backend.Claims).
//
// States are declared in Go ([NewGroup], [Group.State]); a [KeyStrategy]
// decides whose conversation an update belongs to ([UserInChat] by
// default); a [Context] reads and writes the conversation of one [Key].
// Typed data goes through generic functions: [GetData], [Set], [SetData]
// and [Update], the atomic read-modify-write that retries when another
// writer (a second tap, a second instance) got there first, so no update
// is ever lost. Data is stored as JSON; data that no longer decodes
// (corrupt, or written by an older version of the bot with another shape)
// gives an error wrapping [ErrCorrupt] that names the key, and
// [Context.Clear] resets it.
//
// Engines prove that they keep the contract by running the suites of
// package backend/backendtest.
package fsm
