// Package backend holds the contracts every storage engine implements, and
// nothing else: conversation state with compare-and-set and TTL (State),
// per-chat locks with fencing tokens (Locker), update claims and
// once-marks (Claims), the outbound limiter's store (LimitStore), the
// broadcast store (BroadcastStore) and the update journal between
// receivers and workers (Journal), gathered by Backend, which is what a
// bot is given with herald.WithBackend.
//
// The engines live in the sub-packages: backend/memory (tests, one
// process), backend/sqlite (one machine, the embedded default),
// backend/redis and backend/postgres (fleets). backend/backendtest is the
// contract suite they all pass, in one process and across processes.
//
// This package imports no engine, and handler code never needs an
// engine's types: it sees the contracts through herald.Context.
package backend
