package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/heraldbot/herald/backend"
)

// Broadcasts is a backend.BroadcastStore in this process's memory, for
// tests and examples: it forgets everything when the process ends.
type Broadcasts struct {
	mu        sync.Mutex
	last      int64
	campaigns map[int64]*memCampaign
}

type memCampaign struct {
	c      backend.Campaign
	lease  backend.CampaignLease
	recips []backend.Recipient // by Seq-1
	byChat map[int64]int       // chat → index in recips
}

var _ backend.BroadcastStore = (*Broadcasts)(nil)

// NewBroadcasts returns an empty broadcast store.
func NewBroadcasts() *Broadcasts {
	return &Broadcasts{campaigns: make(map[int64]*memCampaign)}
}

// Create implements backend.BroadcastStore.
func (s *Broadcasts) Create(_ context.Context, c backend.Campaign, recipients []int64, now time.Time) (backend.Campaign, error) {
	if err := c.Message.Validate(); err != nil {
		return backend.Campaign{}, err
	}
	chats := backend.UniqueRecipients(recipients)
	mc := &memCampaign{byChat: make(map[int64]int, len(chats)), recips: make([]backend.Recipient, len(chats))}
	for i, chat := range chats {
		mc.byChat[chat] = i
		mc.recips[i] = backend.Recipient{Seq: int64(i + 1), Chat: chat, Status: backend.RecipientPending}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last++
	c.ID, c.Created, c.Total = s.last, now, len(mc.recips)
	mc.c = c
	s.campaigns[c.ID] = mc
	return c, nil
}

func (s *Broadcasts) get(id int64) (*memCampaign, error) {
	mc, ok := s.campaigns[id]
	if !ok {
		return nil, backend.ErrCampaignNotFound
	}
	return mc, nil
}

// backend.Campaign implements backend.BroadcastStore.
func (s *Broadcasts) Campaign(_ context.Context, id int64) (backend.Campaign, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mc, err := s.get(id)
	if err != nil {
		return backend.Campaign{}, err
	}
	return mc.c, nil
}

// Campaigns implements backend.BroadcastStore.
func (s *Broadcasts) Campaigns(context.Context) ([]backend.Campaign, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]backend.Campaign, 0, len(s.campaigns))
	for _, mc := range s.campaigns {
		out = append(out, mc.c)
	}
	slices.SortFunc(out, func(a, b backend.Campaign) int { return int(b.ID - a.ID) })
	return out, nil
}

// backend.CampaignLease implements backend.BroadcastStore.
func (s *Broadcasts) Lease(_ context.Context, id int64, expect, owner string, until, now time.Time) (backend.CampaignLease, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mc, err := s.get(id)
	if err != nil {
		return backend.CampaignLease{}, false, err
	}
	if mc.lease.Owner != expect && !mc.lease.Free(now) {
		return mc.lease, false, nil
	}
	mc.lease = backend.CampaignLease{Owner: owner, Until: until}
	if owner == "" {
		mc.lease = backend.CampaignLease{}
	}
	return mc.lease, true, nil
}

// Recipients implements backend.BroadcastStore.
func (s *Broadcasts) Recipients(_ context.Context, id int64, st backend.RecipientStatus, after int64, n int) ([]backend.Recipient, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mc, err := s.get(id)
	if err != nil {
		return nil, err
	}
	var out []backend.Recipient
	for i := max(after, 0); i < int64(len(mc.recips)) && len(out) < n; i++ {
		if r := mc.recips[i]; r.Status == st {
			out = append(out, r)
		}
	}
	return out, nil
}

// Begin implements backend.BroadcastStore.
func (s *Broadcasts) Begin(_ context.Context, id, chat int64, now time.Time) error {
	return s.update(id, chat, func(r *backend.Recipient) {
		r.Status, r.Updated = backend.RecipientSending, now
	})
}

// Finish implements backend.BroadcastStore.
func (s *Broadcasts) Finish(_ context.Context, id int64, res backend.Recipient, now time.Time) error {
	if !res.Status.Valid() {
		return fmt.Errorf("broadcast: finish chat %d: invalid status %q", res.Chat, res.Status)
	}
	return s.update(id, res.Chat, func(r *backend.Recipient) {
		r.Status, r.MessageID, r.Error, r.Attempts, r.Updated = res.Status, res.MessageID, res.Error, res.Attempts, now
	})
}

// update applies f to an open recipient.
func (s *Broadcasts) update(id, chat int64, f func(*backend.Recipient)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	mc, err := s.get(id)
	if err != nil {
		return err
	}
	i, ok := mc.byChat[chat]
	if !ok {
		return backend.ErrCampaignNotFound
	}
	if !mc.recips[i].Status.Final() {
		f(&mc.recips[i])
	}
	return nil
}

// Progress implements backend.BroadcastStore.
func (s *Broadcasts) Progress(_ context.Context, id int64) (backend.CampaignProgress, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mc, err := s.get(id)
	if err != nil {
		return backend.CampaignProgress{}, err
	}
	p := backend.CampaignProgress{Total: len(mc.recips)}
	for _, r := range mc.recips {
		countStatus(&p, r.Status)
	}
	return p, nil
}

// countStatus adds one recipient in state st to p.
func countStatus(p *backend.CampaignProgress, st backend.RecipientStatus) {
	switch st {
	case backend.RecipientPending:
		p.Pending++
	case backend.RecipientSending:
		p.Sending++
	case backend.RecipientSent:
		p.Sent++
	case backend.RecipientBlocked:
		p.Blocked++
	case backend.RecipientFailed:
		p.Failed++
	default:
		p.Skipped++
	}
}
