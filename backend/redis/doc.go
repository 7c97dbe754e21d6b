// Package redis stores Herald's conversation state, locks, marks and claims
// in Redis through github.com/redis/go-redis/v9, so that any number of bot
// processes can share them. A *Store implements backend.State (records with
// versions, compare-and-set and TTL in one Lua script), backend.Locker (leases
// taken with SET NX PX and a random owner token, renewed while held,
// released only by their owner, with a fencing token drawn atomically with
// the acquisition), fsm.Marker (SET NX with an expiry, for do-once actions)
// and backend.Claims (a key pending for its owner with a lease, then done for a
// ttl, each operation one script: for update de-duplication and
// Context.Once).
//
// The package is called redis, like go-redis; import go-redis under another
// name (goredis below) when both are needed in one file.
//
// # Key layout
//
// Every key starts with the prefix ("herald" by default, see
// Options.Prefix) and the bot id in braces. The braces are a Redis Cluster
// hash tag: all of one bot's keys live in one slot, so the scripts that touch
// two keys (lock and fence) work on a cluster too.
//
//	herald:{42}:fsm:<chat>:<user>:<thread>  hash: s = state, d = data (absent when nil), v = version; PEXPIRE = the record's TTL
//	herald:{42}:lock:<name>                 string: owner token of the holder; PX = the lease
//	herald:{42}:fence                       integer: the bot's fencing counter (INCR on every acquisition, never expires)
//	herald:{42}:mark:<name>                 string "1"; PX/EX = the mark's TTL
//	herald:{42}:claim:<name>                string "p:<owner>" while pending, PX = the lease; "d" once done, PX = the done mark's TTL
//
// The bot in an fsm key is backend.Key.BotID, or the Store's bot when it is 0.
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
// never unlocked is renewed for as long as the process lives.
//
// # Failures
//
// Errors name the operation and the key, and wrap the cause, for example
//
//	backend/redis: get herald:{42}:fsm:7:7:0: dial tcp 127.0.0.1:6399: connect: connection refused
//
// backend.ErrConflict, backend.ErrCorrupt, backend.ErrLockLost and context errors stay
// reachable with errors.Is. Calls are bounded by their ctx and the
// client's timeouts; with ContextTimeoutEnabled set in the go-redis options
// a ctx deadline also cuts a wait for a reply from a server that stopped
// answering. Lock returns the first Redis error instead of waiting on. A
// Store keeps no connection state: when Redis
// comes back, the client reconnects and the next call succeeds (scripts are
// sent again if the server lost them).
package redis
