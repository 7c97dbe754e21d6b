// Package sqlite keeps Herald's conversation state, update claims,
// per-chat locks, outbound limits, broadcast campaigns and the update
// journal in one SQLite file: the embedded, persistent engine, built on
// modernc.org/sqlite (pure Go, no cgo).
//
// A *Store, returned by Open, implements backend.Backend: it is itself the
// backend.State, backend.Locker and backend.Claims, and hands out a
// LimitStore per bot (Store.Limits), the broadcast store
// (Store.Broadcasts) and the journal (Store.Journal) on the same file.
// Open it and hand it to the bot with herald.WithBackend; the bot never
// closes it, its opener does:
//
//	db, err := sqlite.Open(ctx, "bot.db", sqlite.Options{})
//	if err != nil {
//		return err
//	}
//	defer db.Close()
//	bot, err := herald.New(token, herald.WithBackend(db))
//
// The file is in WAL mode with synchronous=NORMAL, so readers never wait
// for the writer and a commit costs no fsync (a power cut may lose the
// last commits, never consistency). In one process, every write goes
// through a single connection, serialised in Go, and reads through a pool;
// several processes on one machine may open the same file and are
// serialised by SQLite's file lock (Options.BusyTimeout).
//
// Writes are single statements guarded by the expected version:
// CompareAndSet is an UPDATE … WHERE version = ? or an INSERT that only
// overwrites an expired row, and no row changed means backend.ErrConflict.
// Time to live is an expires_at column: an expired row is invisible to Get
// and counts as absent, whether or not the background sweeper (stopped by
// Close) has deleted it yet. Locks are leases in a table, renewed while
// held, with fencing tokens from a counter that only grows. Claims are
// rows with an owner and an expires_at that ends the lease while pending
// and the done mark once finished; Claim is an INSERT that only takes over
// a row whose time has run out.
//
// The limiter's buckets and 429 pauses are rows of (bot, scope, chat,
// theoretical arrival time). A Take is one write transaction (BEGIN
// IMMEDIATE) that reads the rows of its buckets and pauses, decides with
// backend.Rate on the machine's wall clock and writes only when the call
// fits, so the processes sharing the file keep Telegram's limits together;
// a Pause never shortens one in force. Rows at rest are swept like expired
// ones. A Take costs a write transaction (BenchmarkSQLiteLimitTake: about
// 0.3 ms on a small 2-core machine), which bounds a file's counted calls
// to some thousands per second: far above the 30 messages per second
// Telegram allows a bot.
//
// The journal (backend.Journal, a *Journal) is durable in the file: its
// entries are rows of journal_entries, whose AUTOINCREMENT sequence is
// the entry ID and the order within a partition, with the update as
// received, its meta as a JSON object, the append time (Unix µs), the
// owner it was delivered to (NULL until delivered) and a delivery count.
// journal_seen remembers each update id for backend.JournalDedupTTL,
// after its entry is acknowledged too, and the sweeper deletes it then;
// journal_owners holds the partition leases, journal_dead the dead
// letters, and journal_meta the partition count: the first Open of a file
// records Options.JournalPartitions (backend.DefaultPartitions if unset),
// and an Open with another count fails with backend.ErrPartitions. An
// Append is one write transaction for the whole batch (a getUpdates
// answer): it records the batch's update ids in journal_seen with one
// statement, which answers the ids that were new, and inserts those
// entries, so copies appended at once by several processes are added
// once. Read, Reclaim, Ack of many entries, Bury and Requeue are one
// write transaction each. A Read with nothing to hand out waits: an
// Append through the same Store wakes it at once, and it looks in the
// file (on the read pool, without the write lock) every 25 ms for appends
// of other processes. Everything the journal holds, waiting, delivered and
// dead, is there after a restart or a crash of the process. Append alone
// commits with synchronous=FULL (the rest of the store runs at NORMAL),
// so updates confirmed to Telegram also survive a power cut or an
// operating system crash; a delivery or acknowledgement lost that way
// only makes an entry come again.
//
// The schema is versioned with PRAGMA user_version and migrated on Open in
// one transaction. Open refuses, without changing them, files from a newer
// Herald (ErrSchemaTooNew), other programs' databases (ErrNotHerald) and
// files that are not SQLite databases. The file belongs to Herald: keep
// business data in a database of its own.
package sqlite
