// Package redis is Herald's Redis engine, through
// github.com/redis/go-redis/v9: conversation state, chat locks, update
// claims, the outbound limiter's buckets and broadcast campaigns, shared
// by any number of bot processes. A *Store is a backend.Backend (Open
// connects from a redis:// URL; New wraps a client of yours). It
// implements backend.State (records with versions, compare-and-set and TTL
// in one Lua script), backend.Locker (leases taken with SET NX PX and a
// random owner token, renewed while held, released only by their owner,
// with a fencing token drawn atomically with the acquisition) and
// backend.Claims (a key pending for its owner with a lease, then done for
// a ttl, each operation one script: for update de-duplication and
// Context.Once). Store.Limits gives a bot's LimiterStore (a GCRA script
// on the server's clock) and Store.Broadcasts its Broadcasts (campaigns
// and recipients, each change one script). Store.Journal gives its
// Journal, the durable update journal on Redis Streams (see "Journal"
// below).
//
// The package is called redis, like go-redis; import go-redis under another
// name (goredis below) when both are needed in one file.
//
// # Key layout
//
// Every key starts with the prefix ("herald" by default, see
// Options.Prefix) and a hash tag in braces, mostly the bot id. The braces
// are a Redis Cluster hash tag: all the keys of one tag live in one slot,
// so the scripts that touch several keys (lock and fence, a limiter
// request's buckets, a campaign's recipients) work on a cluster too.
//
//	herald:{42}:fsm:<chat>:<user>:<thread>[:<business connection>]  hash: s = state, d = data (absent when nil), v = version; PEXPIRE = the record's TTL
//	herald:{42}:lock:<name>                 string: owner token of the holder; PX = the lease
//	herald:{42}:fence                       integer: the bot's fencing counter (INCR on every acquisition, never expires)
//	herald:{42}:claim:<name>                string "p:<owner>" while pending, PX = the lease; "d" once done, PX = the done mark's TTL
//	herald:{42}:limit:…                     the limiter's pauses and buckets (see LimiterStore), expiring when idle
//	herald:{42}:bc:ids                      integer: the last campaign id
//	herald:{42}:bc:list                     sorted set: campaign ids, scored by id
//	herald:{42:bc:<id>}:meta                hash: a campaign and its runner lease (see Broadcasts)
//	herald:{42:bc:<id>}:r                   hash: chat id → the recipient's seq, status, attempts, message id, time and error
//	herald:{42:bc:<id>}:s:<status>          sorted set per recipient status: chat ids scored by seq
//	herald:{42}:journal:…                   the journal's streams and keys (see Journal below)
//
// The bot in an fsm key is backend.Key.BotID, or the Store's bot when it is
// 0; in a limit key, the bot given to Store.Limits (or NewLimiterStore); in
// every other key, the Store's bot (New's botID). Campaign keys carry a
// tag of their own per campaign, so that campaigns spread over a cluster;
// they never expire.
//
// # One Store for several bots
//
// A Store made with bot id 0, as Open makes it, serves any number of bots
// on one Redis. What keeps them apart: records are filed under the bot of
// their backend.Key (the runtime sets it), limiter buckets under the bot
// given to Limits, and the runtime's update claims are named
// "update:<bot>:<update id>". What they share, under the tag {0}: chat
// locks ("chat:<chat id>"; two bots that handle the same chat at once
// wait for each other, which is safe but needless), the names of
// Context.Once (one bot's "welcome:7" is the other's), the fencing
// counter (still increasing per name), the campaigns, and one Redis
// Cluster slot for all of these. Give each bot a Store of its own, New
// with its id, to keep them fully apart and spread over a cluster.
//
// # Locks
//
// A waiter polls with jittered exponential back-off (Options.LockRetryMin
// to LockRetryMax, 2 to 64 ms by default), never sleeping past the holder's
// remaining lease; there is no queue, so waiters are not served in arrival
// order. The fencing token is one INCR counter per bot, drawn in the script
// that takes the lock: it grows with every acquisition of any name, which
// keeps it increasing per name without a counter key per name. A lock's
// lease is renewed every ttl/3 by a goroutine until Unlock; a lock that is
// never unlocked is renewed for as long as the process lives (or until
// the client is closed).
//
// # Journal
//
// Store.Journal is a backend.Journal on Redis Streams (Redis 7.0 or
// later: XAUTOCLAIM, SET NX GET), under the Store's tag, so that its scripts and its XREAD over several partitions work on a
// cluster too:
//
//	herald:{42}:journal:partitions   string: the partition count (Options.JournalPartitions), set on first use
//	herald:{42}:journal:p:<n>        stream: partition n's entries (update_id, key, update, meta as JSON); group "workers"
//	herald:{42}:journal:lease:<n>    string: partition n's owner; PX = the lease
//	herald:{42}:journal:seen:<id>    string: update id seen; PX = backend.JournalDedupTTL (24 h)
//	herald:{42}:journal:dead         stream: dead letters: the entry's fields, entry (its id), partition, deliveries, reason
//	herald:{42}:journal:workers      sorted set: workers alive (Announce), scored by the end of their announcement
//
// Append is one script: a SET NX on each positive update id's seen key,
// and an XADD to its partition's stream for each entry that set it, so
// that copies are skipped even after the original was acknowledged (one
// seen key per update for a day: about 100 bytes of memory per update). An
// entry's ID is its stream id; Appended, that id's milliseconds. The
// consumer group "workers" of every stream delivers entries to the
// owners, its consumers: Read is XREADGROUP ... > in a script, stream
// after stream, so that it hands out at most max entries in all, and
// waits with a blocking XREAD, which consumes nothing, so that a Read
// whose ctx ends returns at once without losing a delivery. Reclaim is
// XAUTOCLAIM with min-idle 0, a hundred entries a script, with XPENDING
// for the delivery counts; an entry delivered too often goes to the dead
// stream (XADD, XACK and XDEL in one script), as Bury sends one. Ack is
// XACK and XDEL: a stream holds only the entries not acknowledged, so
// XLEN is Len and streams never need trimming. Dead letters stay until
// requeued (or deleted by hand, XDEL on the dead stream). The last batch
// of a Reclaim also deletes the group's consumers other than the owner
// with nothing pending, so that the names of past owners do not pile up.
// A lease is a key holding
// its owner, set in a script when free or the caller's, with PX on the
// server's clock.
//
// A stream or group that disappears (a flush, a Redis restarted without
// its data) is created again at the next Read or Reclaim, on NOGROUP,
// from the start of the stream: what is left in it is delivered again.
// The partition count is checked once per Store: a Store with another one
// fails with backend.ErrPartitions.
//
// The journal is exactly as durable as the server's data: a receiver
// confirms updates to Telegram once Append returned, so a Redis that
// loses its data loses the updates not handled yet. Run it with
// persistence: appendonly yes (with appendfsync everysec a crash of the
// machine loses up to about a second of appends; appendfsync always loses
// none, at a cost in throughput), RDB snapshots alone lose everything
// since the last one. Keep the data across restarts, and do not let the
// server evict keys (maxmemory-policy noeviction), or the journal loses
// entries and seen keys without a word. A replica promoted by a failover
// may miss the last writes acknowledged by its primary.
//
// # Failures
//
// Errors name the operation and the key, and wrap the cause, for example
//
//	backend/redis: get herald:{42}:fsm:7:7:0: dial tcp 127.0.0.1:6399: connect: connection refused
//
// backend.ErrConflict, backend.ErrCorrupt, backend.ErrLockLost,
// backend.ErrClaimLost, backend.ErrCampaignNotFound and context errors stay
// reachable with errors.Is. Calls are bounded by their ctx and the
// client's timeouts; with ContextTimeoutEnabled set in the go-redis options
// a ctx deadline also cuts a wait for a reply from a server that stopped
// answering. Lock returns the first Redis error instead of waiting on. A
// Store keeps no connection state: when Redis
// comes back, the client reconnects and the next call succeeds (scripts are
// sent again if the server lost them).
package redis
