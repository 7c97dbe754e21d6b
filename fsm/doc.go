// Package fsm keeps conversation state: a state name and typed data per
// conversation key, stored in a Storage (memory, SQLite or Redis, from the
// backend packages) with optimistic concurrency (versions), a time to live,
// and the Locker and Marker primitives the runtime uses for per-chat locks,
// update de-duplication and idempotent actions.
package fsm
