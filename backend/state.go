package backend

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// Key identifies one conversation: whose state it is. Which fields are set
// depends on the KeyStrategy; unused ones are zero.
type Key struct {
	BotID    int64
	ChatID   int64
	UserID   int64
	ThreadID int64 // forum topic, or a channel direct-messages chat's topic
	// BusinessConnectionID is set for updates that came through a
	// business connection: the bot's own chat with a user and the chat
	// it answers in on behalf of a business account share the chat id,
	// not the conversation.
	BusinessConnectionID string
}

// String is a stable text form, used by backends as the storage key:
// "<bot>:<chat>:<user>:<thread>", followed by ":<business connection>"
// when there is one (keys without one read as they always did).
func (k Key) String() string {
	// Called on every storage operation (backends key records by it), so
	// built without fmt: one allocation.
	var b [4*20 + 3 + 48]byte
	out := strconv.AppendInt(b[:0], k.BotID, 10)
	out = append(out, ':')
	out = strconv.AppendInt(out, k.ChatID, 10)
	out = append(out, ':')
	out = strconv.AppendInt(out, k.UserID, 10)
	out = append(out, ':')
	out = strconv.AppendInt(out, k.ThreadID, 10)
	if k.BusinessConnectionID != "" {
		out = append(out, ':')
		out = append(out, k.BusinessConnectionID...)
	}
	return string(out)
}

// Record is what a State store keeps for a key.
type Record struct {
	State string // "" = no state
	Data  []byte // JSON of the conversation's data; nil = none
	// Version increases by one on every write of the key; 0 means the
	// record does not exist (never written, cleared or expired).
	Version int64
}

// ErrConflict is returned by CompareAndSet when the stored version is not
// the expected one: someone else wrote the key in between.
var ErrConflict = errors.New("fsm: version conflict")

// ErrCorrupt wraps errors about stored data that cannot be read back.
var ErrCorrupt = errors.New("fsm: stored state is corrupt")

// State persists conversation records (the FSM's storage). Implementations are safe for
// concurrent use by many goroutines and, for shared backends, many
// processes. The backendtest package holds the contract tests every State
// must pass.
type State interface {
	// Get returns the record of key, or a Record with Version 0 when there
	// is none (never written, deleted or expired).
	Get(ctx context.Context, key Key) (Record, error)
	// CompareAndSet stores rec.State and rec.Data for key if the stored
	// version equals expect (0: the key must not exist), with the given
	// time to live (0: no expiry), and returns the new version
	// (expect+1). When the versions differ it returns ErrConflict and
	// changes nothing.
	CompareAndSet(ctx context.Context, key Key, expect int64, rec Record, ttl time.Duration) (int64, error)
	// Delete removes the record of key, whatever its version.
	Delete(ctx context.Context, key Key) error
}
