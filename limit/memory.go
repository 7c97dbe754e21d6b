package limit

import (
	"context"
	"sync"
	"time"

	"github.com/heraldbot/herald/tg"
)

// MemoryStore is the in-process Store: one bot's buckets in maps guarded
// by a mutex. Several Limiters (several Clients of one bot) may share one.
// Buckets of chats back at rest are forgotten, so memory follows the
// number of recently active chats.
type MemoryStore struct {
	clock Clock

	mu        sync.Mutex
	pause     time.Time
	global    gcra
	paid      gcra
	chats     map[bucketKey]*gcra
	nextPrune int
}

type bucketKey struct {
	scope Scope
	chat  tg.ChatID
}

const minPrune = 1024

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore on clock (nil means
// RealClock()).
func NewMemoryStore(clock Clock) *MemoryStore {
	if clock == nil {
		clock = RealClock()
	}
	return &MemoryStore{clock: clock, chats: make(map[bucketKey]*gcra), nextPrune: minPrune}
}

// Take implements Store.
func (s *MemoryStore) Take(_ context.Context, r *Request) (Verdict, error) {
	n := max(r.N, 1)
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var v Verdict
	if s.pause.After(now) {
		v = Verdict{Wait: s.pause.Sub(now), Scope: ScopePause}
	}
	if !r.Chat.IsZero() {
		if p := s.chats[bucketKey{scope: ScopeChatPause, chat: r.Chat}]; p != nil && p.tat.Sub(now) > v.Wait {
			v = Verdict{Wait: p.tat.Sub(now), Scope: ScopeChatPause}
		}
	}
	var buf [4]*gcra
	states := buf[:0]
	for _, b := range r.Buckets {
		g := s.bucketLocked(b)
		states = append(states, g)
		if w := g.wait(b.Rate, now, n); w > v.Wait {
			v = Verdict{Wait: w, Scope: b.Scope}
		}
	}
	if v.Wait > 0 {
		return v, nil
	}
	for i, b := range r.Buckets {
		states[i].take(b.Rate, now, n)
	}
	if len(s.chats) > s.nextPrune {
		s.pruneLocked(now)
	}
	return Verdict{}, nil
}

func (s *MemoryStore) bucketLocked(b Bucket) *gcra {
	switch b.Scope {
	case ScopeGlobal:
		return &s.global
	case ScopePaid:
		return &s.paid
	}
	k := bucketKey{scope: b.Scope, chat: b.Chat}
	g := s.chats[k]
	if g == nil {
		g = &gcra{}
		s.chats[k] = g
	}
	return g
}

// pruneLocked forgets idle chat buckets. It runs when the map has doubled
// since the last run, so its cost is constant per Take on average.
func (s *MemoryStore) pruneLocked(now time.Time) {
	for k, g := range s.chats {
		if g.idle(now) {
			delete(s.chats, k)
		}
	}
	s.nextPrune = max(minPrune, 2*len(s.chats))
}

// Pause implements Store. A chat's pause is kept with its buckets and
// forgotten like them once it has passed.
func (s *MemoryStore) Pause(_ context.Context, chat tg.ChatID, d time.Duration) error {
	until := s.clock.Now().Add(d)
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &s.pause
	if !chat.IsZero() {
		p = &s.bucketLocked(Bucket{Scope: ScopeChatPause, Chat: chat}).tat
	}
	if until.After(*p) {
		*p = until
	}
	return nil
}
