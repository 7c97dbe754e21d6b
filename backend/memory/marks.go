package memory

import (
	"context"
	"fmt"
	"time"
)

// Mark records name for ttl (0: until Unmark) and reports whether this
// call recorded it; a name whose mark expired can be marked again. It
// returns ErrFull when the name is new and the store holds
// Options.MaxMarks marks. A negative ttl is an error.
func (s *Store) Mark(_ context.Context, name string, ttl time.Duration) (bool, error) {
	if ttl < 0 {
		return false, fmt.Errorf("memory: mark %q: negative ttl %v", name, ttl)
	}
	sh := s.nameShard(name)
	now := s.now()
	expires := expiry(now, ttl)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	old, ok := sh.marks[name]
	if ok && !expired(old, now) {
		return false, nil
	}
	if !ok {
		if !s.reserve(&s.marks, s.maxMarks, sh, now) {
			return false, fmt.Errorf("memory: cannot mark %q: %w (Options.MaxMarks = %d marks)", name, ErrFull, s.maxMarks)
		}
		sh.peakMarks = max(sh.peakMarks, len(sh.marks)+1)
	}
	sh.marks[name] = expires
	sh.noteExpiry(expires)
	return true, nil
}

// Unmark forgets name, so that it can be marked again.
func (s *Store) Unmark(_ context.Context, name string) error {
	sh := s.nameShard(name)
	sh.mu.Lock()
	if _, ok := sh.marks[name]; ok {
		delete(sh.marks, name)
		s.marks.Add(-1)
	}
	sh.mu.Unlock()
	return nil
}

// Marked reports whether name is marked now, without marking it.
func (s *Store) Marked(_ context.Context, name string) (bool, error) {
	sh := s.nameShard(name)
	now := s.now()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	exp, ok := sh.marks[name]
	return ok && !expired(exp, now), nil
}
