// Package postgres is Herald's PostgreSQL engine: a backend.Backend, built
// on github.com/jackc/pgx/v5, that keeps conversation state, chat locks,
// update claims, the outbound limiter's buckets and broadcast campaigns in
// the tables of one schema ("herald" by default, Options.Schema), so that
// any number of bot processes on any number of machines share them. Open
// it once with Open (or New, on a pgxpool.Pool of your own) and hand it to
// the bot.
//
// Every expiry (record TTLs, lock leases, claim leases and done marks,
// limiter buckets and 429 pauses) is decided on the server's clock
// (clock_timestamp()), never the client's, so machines whose clocks
// disagree still agree on what has expired.
//
// # Tables
//
//	schema_version        one row per applied migration
//	fsm_records           key, state, data, version, expires_at (NULL: never)
//	locks                 name, token, expires_at (the lease); sequence lock_tokens
//	claims                name, owner, done, expires_at (lease, then done mark)
//	limit_state           bot, key, tat (µs of the server clock)
//	broadcast_campaigns   id, name, message (jsonb), paid, created_at, total, lease_owner, lease_until
//	broadcast_recipients  campaign, seq, chat, status, message_id, error, attempts, updated_at
//
// and the functions lock_acquire, claim, limit_take and now_us.
//
// # Migrations
//
// The schema is created by numbered SQL files embedded in the package
// (migrations/NNNN_*.sql, append only). Open applies the missing ones in
// one transaction that first takes pg_advisory_xact_lock, so that of
// several processes starting at once exactly one migrates and the others
// find the schema current; a failed migration changes nothing. A schema
// whose version is above SchemaVersion (written by a newer Herald) is
// refused with ErrSchemaTooNew.
//
// # State
//
// A record has a version: CompareAndSet is one statement, an UPDATE guarded
// by the version or, for a create, an INSERT that overwrites only an
// expired row. An expired row counts as missing, and its version starts
// again at 1.
//
// # Locks
//
// A lock is a lease row, not an advisory lock: an advisory lock dies with
// its session and has no fencing token, while a lease survives a
// connection that is recycled by the pool and runs out by itself when its
// holder is killed. lock_acquire takes a free or expired lease and draws
// the fencing token from the sequence lock_tokens while holding the row's
// lock, so a name's tokens increase. The holder renews the lease every
// third of its ttl; Unlock ends it (only if the token is still the
// holder's, else backend.ErrLockLost) and NOTIFYs the schema's channel, on
// which each Store keeps one listening connection while some Lock call
// waits, so waiters in every process try again at once; they also poll
// with back-off, never sleeping past the holder's lease. Lock rows stay
// after Unlock, and the sweep deletes them an hour after their lease
// ended: a row deleted earlier could let an acquisition that stalled
// between drawing a token and inserting the row use a token older than
// the last one.
//
// LISTEN needs a session of its own, so it does not work through
// PgBouncer (or another pooler) in transaction pooling mode: the listening
// connection is not reliably notified there, and waiters in other processes
// then notice a release by polling, up to Options.LockPollMax later
// (waiters in the same process are still woken at once). Point the Store
// at PostgreSQL directly, or at a pool in session mode, when lock hand-over
// latency matters; or lower LockPollMax.
//
// # Claims
//
// Claim is one call of the claim function: an INSERT … ON CONFLICT DO
// UPDATE that overwrites only a row whose time has passed, so exactly one
// of many concurrent claimers wins, then a read of the winner's row to
// tell Pending from Done. Extend, Finish and Release are single
// statements guarded by the owner.
//
// # Limits
//
// Take is one call of limit_take: the GCRA of backend.Rate over the
// request's buckets, all or nothing, after the bot's and the chat's
// pauses, with the bucket rows locked in key order for the call. The bot's
// global and paid buckets are shared by all its chats; chat and group
// buckets and chat pauses are keyed by the ChatID's string form (the id or
// the @username). Pause never shortens a pause. Buckets at rest are
// deleted by the sweep.
//
// # Broadcasts
//
// Campaigns and recipients have the semantics of the sqlite engine's.
// Create is one statement (the campaign, and its recipients numbered and
// de-duplicated in SQL), every state change is one UPDATE that leaves
// final states alone, and the runner lease is a compare-and-set in one
// statement. The lease, not row locks, keeps two runners off one
// campaign, so FOR UPDATE SKIP LOCKED is used by the sweep only.
//
// # Sweep
//
// Every Options.SweepInterval one process at a time (a transaction-level
// advisory lock, tried without waiting) deletes expired rows in batches,
// picking them with FOR UPDATE SKIP LOCKED so that it never waits for a
// row in use.
//
// # Errors
//
// Errors name the operation and wrap the cause with %w: pgx and pgconn
// errors (a *pgconn.PgError, a connect error, a context error) stay
// reachable with errors.As and errors.Is, as do backend.ErrConflict,
// backend.ErrLockLost and backend.ErrClaimLost. The DSN's password never
// appears in an error or a log line.
package postgres
