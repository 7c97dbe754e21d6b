package memory

import (
	"sync/atomic"
	"time"
)

// reserve counts one more entry in counter if that stays within max. When
// the store is full it first reclaims expired entries: those of sh (whose
// mutex the caller holds), then those of every other shard it can lock
// without waiting (TryLock, so that two full writers cannot deadlock);
// a shard is scanned only when one of its entries may have expired since
// its last scan, so a flood of refused writes does not scan the store for
// each of them. Shards it skipped are left to the background sweep, which
// it wakes.
func (s *Store) reserve(counter *atomic.Int64, max int64, sh *shard, now int64) bool {
	if counter.Add(1) <= max {
		return true
	}
	counter.Add(-1)
	if sh.due(now) {
		sh.sweep(s, now)
	}
	for i := range s.shards {
		if counter.Load() < max {
			break
		}
		other := &s.shards[i]
		if other == sh || !other.mu.TryLock() {
			continue
		}
		if other.due(now) {
			other.sweep(s, now)
		}
		other.mu.Unlock()
	}
	if counter.Add(1) <= max {
		return true
	}
	counter.Add(-1)
	select {
	case s.kick <- struct{}{}:
	default:
	}
	return false
}

// due reports whether a store-is-full sweep of sh may reclaim something:
// an entry may have expired since the last sweep (sh.mu held).
func (sh *shard) due(now int64) bool { return expired(sh.nextExpiry, now) }

// sweeper reclaims expired entries every s.sweepEvery, or sooner when a
// write found the store full, until Close.
func (s *Store) sweeper() {
	defer close(s.done)
	t := time.NewTicker(s.sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		case <-s.kick:
		}
		s.sweepAll()
	}
}

// sweepAll reclaims the expired entries of every shard, one shard at a
// time, and reports how many it removed.
func (s *Store) sweepAll() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += sh.sweep(s, s.now())
		sh.mu.Unlock()
	}
	return n
}

// sweep removes the expired records and claims of sh (sh.mu held),
// shrinks maps that are much smaller than they were, and returns how many
// entries it removed.
func (sh *shard) sweep(s *Store, now int64) int {
	sh.nextExpiry = 0
	n := 0
	for k, r := range sh.records {
		if expired(r.expires, now) {
			delete(sh.records, k)
			n++
		} else {
			sh.noteExpiry(r.expires)
		}
	}
	s.records.Add(int64(-n))
	m := 0
	for name, c := range sh.claims {
		if expired(c.expires, now) {
			delete(sh.claims, name)
			m++
		} else {
			sh.noteExpiry(c.expires)
		}
	}
	s.marks.Add(int64(-m)) // claims count as marks
	if shrinkable(len(sh.records), sh.peakRecords) {
		sh.records = cloneMap(sh.records)
		sh.peakRecords = len(sh.records)
	}
	if shrinkable(len(sh.claims), sh.peakClaims) {
		sh.claims = cloneMap(sh.claims)
		sh.peakClaims = len(sh.claims)
	}
	return n + m
}

// shrinkable reports whether a map of size n that once held peak entries
// is worth rebuilding to give memory back.
func shrinkable(n, peak int) bool { return peak >= 1024 && n <= peak/4 }

// cloneMap copies m into a map sized for its entries; maps.Clone would
// keep the original's table size, which is what the sweep gives back.
func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	c := make(map[K]V, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
