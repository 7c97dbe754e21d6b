package fsm

import "fmt"

// StoreError is a failure of the Storage itself (unreachable, timed out,
// refused) while reading or writing a conversation, as opposed to a
// version conflict or corrupt data. The runtime treats it as a failure of
// the bot's infrastructure: the update is not confirmed to Telegram and is
// handled again later.
type StoreError struct {
	Op  string // "read", "write" or "clear"
	Key Key
	Err error
}

// Error returns "fsm: <op> <key>: <cause>".
func (e *StoreError) Error() string { return fmt.Sprintf("fsm: %s %s: %v", e.Op, e.Key, e.Err) }

// Unwrap returns the storage's error.
func (e *StoreError) Unwrap() error { return e.Err }
