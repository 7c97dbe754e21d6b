// Package memory is an in-process backend for Herald: one [Store] that
// implements [backend.State] (conversation state), [backend.Locker] (per-key
// locks), [fsm.Marker] (idempotent actions) and [backend.Claims] (update
// de-duplication and Context.Once: a pending claim with a lease, then a
// done mark).
//
// It is the backend for tests and for a single process that can afford to
// lose its state on restart; for persistence use backend/sqlite, for a
// fleet backend/redis.
//
//	store := memory.New(memory.Options{})
//	defer store.Close()
//	fc := fsm.NewContext(store, key, fsm.Options{TTL: 24 * time.Hour})
//
// # Design
//
//   - Sharded: keys and names are spread by hash over 64 shards, each with
//     its own mutex, so unrelated conversations do not contend.
//   - TTL: an expired record, mark or claim is treated as absent as soon as it
//     expires (checked on every access) and its memory is reclaimed by a
//     background sweep every Options.SweepInterval; [Store.Close] stops
//     the sweep. The clock is monotonic, so wall-clock jumps do not
//     expire anything early.
//   - Bounded: at most Options.MaxKeys records and Options.MaxMarks marks
//     and claims together.
//     When full, a write that would add a key first reclaims expired
//     entries, then fails with [ErrFull]; existing keys can always be
//     written. Refusing is deliberate: this is a store of conversations,
//     not a cache, so it never drops a live conversation (or a mark that
//     guards an action) to make room; the error reaches the bot's error
//     path, which is loud, where an eviction would silently restart
//     someone's dialog. Set a TTL so that abandoned conversations free
//     their room.
//   - Locks live in the process, so a lease cannot outlive its holder:
//     a lock is held until Unlock, which is what a lease renewed for as
//     long as it is held amounts to. Fencing tokens come from one counter
//     per Store and so increase across every name.
//   - No global state: every Store is independent.
package memory
