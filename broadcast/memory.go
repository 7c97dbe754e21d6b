package broadcast

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// MemoryStore is a Store in this process's memory, for tests and
// examples: it forgets everything when the process ends.
type MemoryStore struct {
	mu        sync.Mutex
	last      int64
	campaigns map[int64]*memCampaign
}

type memCampaign struct {
	c      Campaign
	lease  Lease
	recips []Recipient   // by Seq-1
	byChat map[int64]int // chat → index in recips
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{campaigns: make(map[int64]*memCampaign)}
}

// Create implements Store.
func (s *MemoryStore) Create(_ context.Context, c Campaign, recipients []int64, now time.Time) (Campaign, error) {
	if err := c.Message.Validate(); err != nil {
		return Campaign{}, err
	}
	mc := &memCampaign{byChat: make(map[int64]int, len(recipients))}
	for _, chat := range recipients {
		if _, dup := mc.byChat[chat]; dup {
			continue
		}
		mc.byChat[chat] = len(mc.recips)
		mc.recips = append(mc.recips, Recipient{Seq: int64(len(mc.recips) + 1), Chat: chat, Status: Pending})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last++
	c.ID, c.Created, c.Total = s.last, now, len(mc.recips)
	mc.c = c
	s.campaigns[c.ID] = mc
	return c, nil
}

func (s *MemoryStore) get(id int64) (*memCampaign, error) {
	mc, ok := s.campaigns[id]
	if !ok {
		return nil, ErrNotFound
	}
	return mc, nil
}

// Campaign implements Store.
func (s *MemoryStore) Campaign(_ context.Context, id int64) (Campaign, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mc, err := s.get(id)
	if err != nil {
		return Campaign{}, err
	}
	return mc.c, nil
}

// Campaigns implements Store.
func (s *MemoryStore) Campaigns(context.Context) ([]Campaign, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Campaign, 0, len(s.campaigns))
	for _, mc := range s.campaigns {
		out = append(out, mc.c)
	}
	slices.SortFunc(out, func(a, b Campaign) int { return int(b.ID - a.ID) })
	return out, nil
}

// Lease implements Store.
func (s *MemoryStore) Lease(_ context.Context, id int64, expect, owner string, until, now time.Time) (Lease, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mc, err := s.get(id)
	if err != nil {
		return Lease{}, false, err
	}
	if mc.lease.Owner != expect && !mc.lease.Free(now) {
		return mc.lease, false, nil
	}
	mc.lease = Lease{Owner: owner, Until: until}
	if owner == "" {
		mc.lease = Lease{}
	}
	return mc.lease, true, nil
}

// Recipients implements Store.
func (s *MemoryStore) Recipients(_ context.Context, id int64, st Status, after int64, n int) ([]Recipient, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mc, err := s.get(id)
	if err != nil {
		return nil, err
	}
	var out []Recipient
	for i := max(after, 0); i < int64(len(mc.recips)) && len(out) < n; i++ {
		if r := mc.recips[i]; r.Status == st {
			out = append(out, r)
		}
	}
	return out, nil
}

// Begin implements Store.
func (s *MemoryStore) Begin(_ context.Context, id, chat int64, now time.Time) error {
	return s.update(id, chat, func(r *Recipient) {
		r.Status, r.Updated = Sending, now
	})
}

// Finish implements Store.
func (s *MemoryStore) Finish(_ context.Context, id int64, res Recipient, now time.Time) error {
	if !res.Status.Valid() {
		return fmt.Errorf("broadcast: finish chat %d: invalid status %q", res.Chat, res.Status)
	}
	return s.update(id, res.Chat, func(r *Recipient) {
		r.Status, r.MessageID, r.Error, r.Attempts, r.Updated = res.Status, res.MessageID, res.Error, res.Attempts, now
	})
}

// update applies f to an open recipient.
func (s *MemoryStore) update(id, chat int64, f func(*Recipient)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	mc, err := s.get(id)
	if err != nil {
		return err
	}
	i, ok := mc.byChat[chat]
	if !ok {
		return ErrNotFound
	}
	if !mc.recips[i].Status.Final() {
		f(&mc.recips[i])
	}
	return nil
}

// Progress implements Store.
func (s *MemoryStore) Progress(_ context.Context, id int64) (Progress, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mc, err := s.get(id)
	if err != nil {
		return Progress{}, err
	}
	p := Progress{Total: len(mc.recips)}
	for _, r := range mc.recips {
		*p.count(r.Status)++
	}
	return p, nil
}
