package memory

import (
	"sync"

	"github.com/heraldbot/herald/backend"
)

var _ backend.Backend = (*Store)(nil)

// engine holds what a Store keeps for backend.Backend beyond its shards:
// the limiter stores of the bots it serves and its broadcast store.
type engine struct {
	mu         sync.Mutex
	limits     map[int64]*LimitStore // by bot id
	broadcasts *Broadcasts
}

// Name returns "memory".
func (s *Store) Name() string { return "memory" }

// State returns s: it keeps conversation state itself.
func (s *Store) State() backend.State { return s }

// Locker returns s: it hands out per-chat locks itself.
func (s *Store) Locker() backend.Locker { return s }

// Claims returns s: it keeps update claims itself.
func (s *Store) Claims() backend.Claims { return s }

// Limits returns the in-process LimitStore of the bot botID, created on
// first use; every call for the same bot returns the same one. Its
// buckets are not bounded by Options.MaxKeys: those of idle chats are
// forgotten (see LimitStore).
func (s *Store) Limits(botID int64) backend.LimitStore {
	s.engine.mu.Lock()
	defer s.engine.mu.Unlock()
	ls := s.engine.limits[botID]
	if ls == nil {
		if s.engine.limits == nil {
			s.engine.limits = make(map[int64]*LimitStore)
		}
		ls = NewLimitStore()
		s.engine.limits[botID] = ls
	}
	return ls
}

// Broadcasts returns the Store's broadcast store (one per Store, created
// on first use): campaigns live as long as the process.
func (s *Store) Broadcasts() backend.BroadcastStore {
	s.engine.mu.Lock()
	defer s.engine.mu.Unlock()
	if s.engine.broadcasts == nil {
		s.engine.broadcasts = NewBroadcasts()
	}
	return s.engine.broadcasts
}
