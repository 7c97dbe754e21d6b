package memory

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/heraldbot/herald/backend"
)

var (
	_ backend.Journal        = (*Journal)(nil)
	_ backend.JournalWorkers = (*Journal)(nil)
)

// Journal is an in-process backend.Journal, for tests and for a bot that
// has no database. It is not durable: what it holds is lost with the
// process, so a bot that confirms updates once they are in it loses the
// unhandled ones when it stops. That is why Store.Journal returns nil and
// a bot only uses a memory journal when given one explicitly
// (herald.WithJournal). Create it with NewJournal.
type Journal struct {
	n int

	mu      sync.Mutex
	parts   []memPartition
	seen    map[int64]time.Time // update id → when appended
	dead    []backend.DeadLetter
	seq     uint64
	deadSeq uint64
	length  int64
	wake    chan struct{} // closed and replaced on every Append
	workers map[string]time.Time
}

type memPartition struct {
	entries []*memEntry // not acknowledged, in order
	owner   string
	until   time.Time
}

type memEntry struct {
	e         backend.JournalEntry
	delivered bool
}

// NewJournal returns an empty in-process journal with the given number of
// partitions (0 means backend.DefaultPartitions).
func NewJournal(partitions int) *Journal {
	if partitions <= 0 {
		partitions = backend.DefaultPartitions
	}
	return &Journal{n: partitions, parts: make([]memPartition, partitions),
		seen: make(map[int64]time.Time), wake: make(chan struct{})}
}

// Journal returns nil: a memory journal is not durable, so a bot given a
// Store keeps confirming updates only after handling them. See NewJournal.
func (s *Store) Journal() backend.Journal { return nil }

// Partitions returns the number of partitions.
func (j *Journal) Partitions() int { return j.n }

// Append adds the entries not seen before.
func (j *Journal) Append(ctx context.Context, entries []backend.JournalEntry) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	now := time.Now()
	j.mu.Lock()
	defer j.mu.Unlock()
	added := 0
	for _, e := range entries {
		if e.UpdateID > 0 {
			if at, ok := j.seen[e.UpdateID]; ok && now.Sub(at) < backend.JournalDedupTTL {
				continue
			}
			j.seen[e.UpdateID] = now
		}
		j.push(e, now)
		added++
	}
	if len(j.seen) > 1<<16 {
		maps.DeleteFunc(j.seen, func(_ int64, at time.Time) bool { return now.Sub(at) >= backend.JournalDedupTTL })
	}
	if added > 0 {
		close(j.wake)
		j.wake = make(chan struct{})
	}
	return added, nil
}

// push adds one entry at the end of its partition; j.mu is held.
func (j *Journal) push(e backend.JournalEntry, now time.Time) {
	j.seq++
	e.ID = strconv.FormatUint(j.seq, 10)
	e.Partition = backend.PartitionOf(e.Key, j.n)
	e.Update = slices.Clone(e.Update)
	e.Meta = maps.Clone(e.Meta)
	e.Appended, e.Deliveries = now, 0
	p := &j.parts[e.Partition]
	p.entries = append(p.entries, &memEntry{e: e})
	j.length++
}

// Own takes or renews owner's lease on p.
func (j *Journal) Own(ctx context.Context, p int, owner string, lease time.Duration) (bool, error) {
	if err := j.check(p, owner); err != nil {
		return false, fmt.Errorf("memory: journal own: %w", err)
	}
	if lease <= 0 {
		return false, fmt.Errorf("memory: journal own: lease must be positive, got %v", lease)
	}
	now := time.Now()
	j.mu.Lock()
	defer j.mu.Unlock()
	part := &j.parts[p]
	if part.owner != "" && part.owner != owner && now.Before(part.until) {
		return false, nil
	}
	part.owner, part.until = owner, now.Add(lease)
	return true, nil
}

// Disown ends owner's lease on p.
func (j *Journal) Disown(ctx context.Context, p int, owner string) error {
	if err := j.check(p, owner); err != nil {
		return fmt.Errorf("memory: journal disown: %w", err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if part := &j.parts[p]; part.owner == owner {
		part.owner, part.until = "", time.Time{}
	}
	return nil
}

func (j *Journal) check(p int, owner string) error {
	if owner == "" {
		return fmt.Errorf("empty owner")
	}
	return backend.CheckPartition(p, j.n)
}

// Reclaim hands owner the delivered, unacknowledged entries of p,
// counting a delivery for the oldest of each key only.
func (j *Journal) Reclaim(ctx context.Context, p int, owner string, maxDeliveries int) ([]backend.JournalEntry, error) {
	if err := j.check(p, owner); err != nil {
		return nil, fmt.Errorf("memory: journal reclaim: %w", err)
	}
	now := time.Now()
	j.mu.Lock()
	defer j.mu.Unlock()
	part := &j.parts[p]
	var out []backend.JournalEntry
	kept := part.entries[:0]
	charged := make(map[int64]bool) // keys whose oldest entry was counted
	for _, m := range part.entries {
		if !m.delivered {
			kept = append(kept, m)
			continue
		}
		if !charged[m.e.Key] {
			charged[m.e.Key] = true
			if maxDeliveries > 0 && m.e.Deliveries >= maxDeliveries {
				j.bury(m.e, fmt.Sprintf("delivered %d times without an acknowledgement", m.e.Deliveries), now)
				continue
			}
			m.e.Deliveries++
		}
		out = append(out, m.e)
		kept = append(kept, m)
	}
	clear(part.entries[len(kept):])
	part.entries = kept
	return out, nil
}

// bury adds e to the dead letters; j.mu is held and e was removed from
// its partition by the caller.
func (j *Journal) bury(e backend.JournalEntry, reason string, now time.Time) {
	j.deadSeq++
	j.dead = append(j.dead, backend.DeadLetter{ID: strconv.FormatUint(j.deadSeq, 10), Entry: e, Reason: reason, Died: now})
	j.length--
}

// Read hands owner entries never delivered, waiting up to wait for one.
func (j *Journal) Read(ctx context.Context, owner string, ps []int, max int, wait time.Duration) ([]backend.JournalEntry, error) {
	if err := backend.CheckJournalRead(owner, ps, max, j.n); err != nil {
		return nil, fmt.Errorf("memory: journal read: %w", err)
	}
	var timer <-chan time.Time
	for {
		j.mu.Lock()
		var out []backend.JournalEntry
		for _, p := range ps {
			for _, m := range j.parts[p].entries {
				if len(out) == max {
					break
				}
				if !m.delivered {
					m.delivered, m.e.Deliveries = true, 1
					out = append(out, m.e)
				}
			}
		}
		wake := j.wake
		j.mu.Unlock()
		if len(out) > 0 || wait <= 0 {
			return out, nil
		}
		if timer == nil {
			t := time.NewTimer(wait)
			defer t.Stop()
			timer = t.C
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer:
			return nil, nil
		case <-wake:
		}
	}
}

// Ack removes the entries.
func (j *Journal) Ack(ctx context.Context, refs ...backend.JournalRef) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, r := range refs {
		if backend.CheckPartition(r.Partition, j.n) != nil {
			continue
		}
		if _, ok := j.remove(r); ok {
			j.length--
		}
	}
	return nil
}

// remove takes the entry r out of its partition; j.mu is held.
func (j *Journal) remove(r backend.JournalRef) (backend.JournalEntry, bool) {
	part := &j.parts[r.Partition]
	i := slices.IndexFunc(part.entries, func(m *memEntry) bool { return m.e.ID == r.ID })
	if i < 0 {
		return backend.JournalEntry{}, false
	}
	e := part.entries[i].e
	part.entries = slices.Delete(part.entries, i, i+1)
	return e, true
}

// Bury moves the entry to the dead letters.
func (j *Journal) Bury(ctx context.Context, r backend.JournalRef, reason string) error {
	if err := backend.CheckPartition(r.Partition, j.n); err != nil {
		return fmt.Errorf("memory: journal bury: %w", err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if e, ok := j.remove(r); ok {
		j.bury(e, reason, time.Now())
	}
	return nil
}

// Len counts the entries not acknowledged.
func (j *Journal) Len(ctx context.Context) (int64, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.length, nil
}

// Stats describes the partitions.
func (j *Journal) Stats(ctx context.Context) (backend.JournalStats, error) {
	now := time.Now()
	j.mu.Lock()
	defer j.mu.Unlock()
	st := backend.JournalStats{DeadLetters: int64(len(j.dead))}
	for i := range j.parts {
		part := &j.parts[i]
		ps := backend.PartitionStats{Partition: i, Length: int64(len(part.entries))}
		for _, m := range part.entries {
			if m.delivered {
				ps.Pending++
			}
		}
		if len(part.entries) > 0 {
			ps.Oldest = part.entries[0].e.Appended
		}
		if part.owner != "" && now.Before(part.until) {
			ps.Owner = part.owner
		}
		st.Partitions = append(st.Partitions, ps)
	}
	return st, nil
}

// DeadLetters lists up to max dead letters, oldest first.
func (j *Journal) DeadLetters(ctx context.Context, max int) ([]backend.DeadLetter, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.dead[:min(max, len(j.dead))]), nil
}

// Requeue appends the dead letters again.
func (j *Journal) Requeue(ctx context.Context, ids ...string) (int, error) {
	now := time.Now()
	j.mu.Lock()
	defer j.mu.Unlock()
	n := 0
	for _, id := range ids {
		i := slices.IndexFunc(j.dead, func(d backend.DeadLetter) bool { return d.ID == id })
		if i < 0 {
			continue
		}
		j.push(j.dead[i].Entry, now)
		j.dead = slices.Delete(j.dead, i, i+1)
		n++
	}
	if n > 0 {
		close(j.wake)
		j.wake = make(chan struct{})
	}
	return n, nil
}

// Announce records that owner is alive for ttl (removes it when ttl <= 0).
func (j *Journal) Announce(ctx context.Context, owner string, ttl time.Duration) error {
	if owner == "" {
		return fmt.Errorf("memory: journal announce: empty owner")
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if ttl <= 0 {
		delete(j.workers, owner)
		return nil
	}
	if j.workers == nil {
		j.workers = make(map[string]time.Time)
	}
	j.workers[owner] = time.Now().Add(ttl)
	return nil
}

// Workers lists the workers alive, sorted.
func (j *Journal) Workers(ctx context.Context) ([]string, error) {
	now := time.Now()
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []string
	for w, until := range j.workers {
		if now.Before(until) {
			out = append(out, w)
		} else {
			delete(j.workers, w)
		}
	}
	slices.Sort(out)
	return out, nil
}
