// Package jobs runs durable background jobs for a Herald bot on River
// (github.com/riverqueue/river): work that must not be lost when the
// process dies and should not hold up the update path, such as rendering
// a receipt, a reminder due in an hour, or a nightly clean-up. Jobs live in
// a database — SQLite (riversqlite, the embedded default) or PostgreSQL
// (riverpgxv5) — next to the bot's own data, so a handler enqueues a job in
// the same transaction as its business writes (InTx and InsertTx). New
// runs River's migrations; Handle registers a worker, which gets the bot's
// rate-limited *tg.Client (Job.Bot) so it can reply to the chat; Start
// starts the workers: a default queue, a CPU queue bounded to GOMAXPROCS
// for CPU-heavy work (QueueCPU), and the periodic jobs added with
// Periodic. Retries with back-off, unique jobs and scheduled jobs are
// River's own (InsertOpts). List and Retry serve `herald jobs`.
// docs/JOBS.md explains the choices.
package jobs
