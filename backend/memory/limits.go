package memory

import (
	"context"
	"sync"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/tg"
)

// LimitStore is the in-process backend.LimitStore: one bot's buckets in maps guarded
// by a mutex. Several Limiters (several Clients of one bot) may share one.
// Buckets of chats back at rest are forgotten, so memory follows the
// number of recently active chats.
type LimitStore struct {
	mu        sync.Mutex
	pause     time.Time
	global    gcra
	paid      gcra
	chats     map[bucketKey]*gcra
	nextPrune int
}

type bucketKey struct {
	scope backend.LimitScope
	chat  tg.ChatID
}

const minPrune = 1024

var _ backend.LimitStore = (*LimitStore)(nil)

// NewLimitStore returns an empty in-process LimitStore on the wall clock.
func NewLimitStore() *LimitStore {
	return &LimitStore{chats: make(map[bucketKey]*gcra), nextPrune: minPrune}
}

// Take implements backend.LimitStore.
func (s *LimitStore) Take(_ context.Context, r *backend.LimitRequest) (backend.LimitVerdict, error) {
	n := max(r.N, 1)
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var v backend.LimitVerdict
	if s.pause.After(now) {
		v = backend.LimitVerdict{Wait: s.pause.Sub(now), Scope: backend.ScopePause}
	}
	if !r.Chat.IsZero() {
		if p := s.chats[bucketKey{scope: backend.ScopeChatPause, chat: r.Chat}]; p != nil && p.tat.Sub(now) > v.Wait {
			v = backend.LimitVerdict{Wait: p.tat.Sub(now), Scope: backend.ScopeChatPause}
		}
	}
	var buf [4]*gcra
	states := buf[:0]
	for _, b := range r.Buckets {
		g := s.bucketLocked(b)
		states = append(states, g)
		if w := b.Rate.Wait(g.tat, now, n); w > v.Wait {
			v = backend.LimitVerdict{Wait: w, Scope: b.Scope}
		}
	}
	if v.Wait > 0 {
		return v, nil
	}
	for i, b := range r.Buckets {
		states[i].tat = b.Rate.Take(states[i].tat, now, n)
	}
	if len(s.chats) > s.nextPrune {
		s.pruneLocked(now)
	}
	return backend.LimitVerdict{}, nil
}

func (s *LimitStore) bucketLocked(b backend.LimitBucket) *gcra {
	switch b.Scope {
	case backend.ScopeGlobal:
		return &s.global
	case backend.ScopePaid:
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
func (s *LimitStore) pruneLocked(now time.Time) {
	for k, g := range s.chats {
		if !g.tat.After(now) {
			delete(s.chats, k)
		}
	}
	s.nextPrune = max(minPrune, 2*len(s.chats))
}

// Pause implements backend.LimitStore. A chat's pause is kept with its buckets and
// forgotten like them once it has passed.
func (s *LimitStore) Pause(_ context.Context, chat tg.ChatID, d time.Duration) error {
	until := time.Now().Add(d)
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &s.pause
	if !chat.IsZero() {
		p = &s.bucketLocked(backend.LimitBucket{Scope: backend.ScopeChatPause, Chat: chat}).tat
	}
	if until.After(*p) {
		*p = until
	}
	return nil
}

// gcra is the state of one bucket: its theoretical arrival time, the
// moment the bucket is empty again (backend.Rate.Wait). The zero value is
// an idle bucket.
type gcra struct{ tat time.Time }
