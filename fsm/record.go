package fsm

import "github.com/heraldbot/herald/backend"

// Key identifies one conversation (backend.Key): bot, chat, user and
// topic, as set by the KeyStrategy.
type Key = backend.Key

// Record is what a state store keeps for a key (backend.Record).
type Record = backend.Record

// Errors of the state store, re-exported for handler code.
var (
	// ErrConflict: someone else wrote the conversation in between.
	ErrConflict = backend.ErrConflict
	// ErrCorrupt: stored data cannot be read back.
	ErrCorrupt = backend.ErrCorrupt
)
