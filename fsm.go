package herald

import (
	"context"
	"errors"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/tg"
)

// FSMConfig configures conversation state.
type FSMConfig struct {
	// Strategy decides whose conversation an update belongs to (default
	// fsm.UserInChat).
	Strategy fsm.KeyStrategy
	// TTL is how long a conversation lives after its last write (0: forever).
	TTL time.Duration
	// MaxRetries bounds the retries of a write after a version conflict
	// (0: fsm.DefaultMaxRetries).
	MaxRetries int
}

// WithFSM configures conversation state: cfg sets the key strategy, TTL
// and retries, and s, when not nil, is where conversations are kept
// instead of the engine of WithBackend (backend/memory in tests,
// backend/sqlite on one machine, backend/redis or backend/postgres for a
// fleet). With WithBackend, WithFSM(nil, cfg) only sets cfg. Handlers
// reach the state with c.FSM() and route on it with InState.
func WithFSM(s backend.State, cfg FSMConfig) Option {
	return func(b *Bot) error {
		b.fsmStorage, b.fsmConfig, b.fsmSet = s, cfg, true
		return nil
	}
}

// ErrNoFSM is the error of every FSM operation when the bot has no storage.
var ErrNoFSM = errors.New("herald: no FSM storage; add herald.WithBackend(engine) or herald.WithFSM(storage, herald.FSMConfig{})")

// FSM returns the conversation of the update's key (see FSMConfig.Strategy).
// Its reads and writes fail with ErrNoFSM when the bot has no FSM storage,
// and with fsm.ErrNoKey when the update has no chat or user for the key.
func (c *Context) FSM() *fsm.Context {
	if c.fsm != nil {
		return c.fsm
	}
	b := c.bot
	var storage backend.State = failingStorage{ErrNoFSM}
	var key fsm.Key
	if b != nil && b.fsmStorage != nil {
		storage = b.fsmStorage
		var chatID, userID, threadID int64
		if chat := c.Chat(); chat != nil {
			chatID = chat.ID
		}
		if u := c.Sender(); u != nil {
			userID = u.ID
		}
		if m := c.Message(); m != nil {
			threadID = messageTopic(m)
		}
		var ok bool
		if key, ok = b.fsmConfig.Strategy.Key(b.client.BotID(), chatID, userID, threadID); !ok {
			storage = failingStorage{fsm.ErrNoKey}
		}
		key.BusinessConnectionID = c.BusinessConnectionID()
	}
	var opts fsm.Options
	if b != nil {
		opts = fsm.Options{TTL: b.fsmConfig.TTL, MaxRetries: b.fsmConfig.MaxRetries}
	}
	fc := fsm.NewContext(storage, key, opts)
	if c.scratch != nil {
		c.fsm = fc
	}
	return fc
}

// messageTopic returns the topic m belongs to: its forum topic's thread
// id, or its channel direct-messages topic's id; 0 outside topics.
func messageTopic(m *tg.Message) int64 {
	switch {
	case m.IsTopicMessage:
		return m.MessageThreadID
	case m.DirectMessagesTopic != nil:
		return m.DirectMessagesTopic.TopicID
	}
	return 0
}

// InState matches updates whose conversation is in one of the states;
// patterns work too: fsm.AnyState, group.Any(), and fsm.NoState for "no
// conversation". When the state cannot be read (the storage is down, no
// storage), the filter does not match and, if no other handler takes the
// update, the error goes through the error path.
func InState(states ...fsm.State) Filter {
	return func(c *Context) bool {
		cur, err := c.FSM().State(c)
		if err != nil {
			c.fsmErr = err
			return false
		}
		for _, s := range states {
			if s.Matches(cur) {
				return true
			}
		}
		return false
	}
}

// failingStorage answers every call with its error.
type failingStorage struct{ err error }

func (f failingStorage) Get(context.Context, fsm.Key) (fsm.Record, error) {
	return fsm.Record{}, f.err
}

func (f failingStorage) CompareAndSet(context.Context, fsm.Key, int64, fsm.Record, time.Duration) (int64, error) {
	return 0, f.err
}

func (f failingStorage) Delete(context.Context, fsm.Key) error { return f.err }
