package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldbot/herald/backend"
)

// Get returns the record of key, or a Record with Version 0 when there is
// none or it expired. The returned Data is the caller's to keep.
func (s *Store) Get(_ context.Context, key backend.Key) (backend.Record, error) {
	sh := s.keyShard(key)
	now := s.now()
	sh.mu.Lock()
	r, ok := sh.records[key]
	if ok && expired(r.expires, now) {
		sh.deleteRecord(s, key)
		ok = false
	}
	sh.mu.Unlock()
	if !ok {
		return backend.Record{}, nil
	}
	state, data := r.unpack()
	return backend.Record{State: state, Data: data, Version: r.version}, nil
}

// CompareAndSet stores rec for key if the stored version is expect (0: no
// live record), with the given TTL (0: none), and returns the new version.
// It returns backend.ErrConflict when the version differs, and ErrFull when
// the record would be new and the store holds Options.MaxKeys records. A
// negative ttl is an error.
func (s *Store) CompareAndSet(_ context.Context, key backend.Key, expect int64, rec backend.Record, ttl time.Duration) (int64, error) {
	if expect < 0 {
		return 0, fmt.Errorf("memory: compare-and-set %s: negative version %d: %w", key, expect, backend.ErrConflict)
	}
	if ttl < 0 {
		return 0, fmt.Errorf("memory: compare-and-set %s: negative ttl %v", key, ttl)
	}
	sh := s.keyShard(key)
	now := s.now()
	r := record{packed: packRecord(rec.State, rec.Data), version: expect + 1, expires: expiry(now, ttl)}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	old, ok := sh.records[key]
	if ok && expired(old.expires, now) {
		sh.deleteRecord(s, key)
		ok = false
	}
	var cur int64
	if ok {
		cur = old.version
	}
	if cur != expect {
		return 0, backend.ErrConflict
	}
	if !ok {
		if !s.reserve(&s.records, s.maxKeys, sh, now) {
			return 0, fmt.Errorf("memory: cannot add %s: %w (Options.MaxKeys = %d records; set a TTL or raise the bound)", key, ErrFull, s.maxKeys)
		}
		sh.peakRecords = max(sh.peakRecords, len(sh.records)+1)
	}
	sh.records[key] = r
	sh.noteExpiry(r.expires)
	return r.version, nil
}

// Delete removes the record of key, if any.
func (s *Store) Delete(_ context.Context, key backend.Key) error {
	sh := s.keyShard(key)
	sh.mu.Lock()
	if _, ok := sh.records[key]; ok {
		sh.deleteRecord(s, key)
	}
	sh.mu.Unlock()
	return nil
}

// deleteRecord removes an existing record; sh.mu is held.
func (sh *shard) deleteRecord(s *Store, key backend.Key) {
	delete(sh.records, key)
	s.records.Add(-1)
}
