// Package memory is an in-process engine for Herald: a [Store] implements
// [backend.Backend]. It is itself the [backend.State] (conversation
// state), [backend.Locker] (per-key locks) and [backend.Claims] (update
// de-duplication and Context.Once: a pending claim with a lease, then a
// done mark), and hands out a [LimitStore] per bot ([Store.Limits]: the
// outbound limiter's buckets and 429 pauses) and one [Broadcasts]
// ([Store.Broadcasts]: campaigns).
//
// It is the engine for tests and for a single process that can afford to
// lose its state on restart; for persistence use backend/sqlite, for a
// fleet backend/redis or backend/postgres. Open one and hand it to the bot
// with herald.WithBackend; the bot never closes it, its opener does:
//
//	store := memory.New(memory.Options{})
//	defer store.Close()
//	bot, err := herald.New(token, herald.WithBackend(store))
//
// [NewLimitStore] and [NewBroadcasts] make a limiter store or a broadcast
// store on their own, for a limit.Config or a test. [NewJournal] makes an
// update journal for tests; it is not durable, so [Store.Journal] returns
// nil and a bot on a memory Store confirms updates only after handling
// them.
//
// # Design
//
//   - Sharded: keys and names are spread by hash over 64 shards, each with
//     its own mutex, so unrelated conversations do not contend.
//   - TTL: an expired record or claim is treated as absent as soon as it
//     expires (checked on every access) and its memory is reclaimed by a
//     background sweep every Options.SweepInterval; [Store.Close] stops
//     the sweep. The clock is monotonic, so wall-clock jumps do not
//     expire anything early.
//   - Bounded: at most Options.MaxKeys records and Options.MaxMarks claims
//     (pending claims and done marks together).
//     When full, a write that would add a key first reclaims expired
//     entries, then fails with [ErrFull]; existing keys can always be
//     written. Refusing is deliberate: this is a store of conversations,
//     not a cache, so it never drops a live conversation (or a done mark
//     that guards an action) to make room; the error reaches the bot's error
//     path, which is loud, where an eviction would silently restart
//     someone's dialog. Set a TTL so that abandoned conversations free
//     their room.
//   - Locks live in the process, so a lease cannot outlive its holder:
//     a lock is held until Unlock, which is what a lease renewed for as
//     long as it is held amounts to. Fencing tokens come from one counter
//     per Store and so increase across every name.
//   - The limiter's buckets of idle chats are forgotten, so their memory
//     follows the number of recently active chats; they are not counted
//     in MaxKeys.
//   - No global state: every Store is independent.
package memory
