package redis

import (
	"context"
	"time"
)

// Mark records name for ttl (0: for ever) with SET NX PX and reports whether
// this call recorded it. Exactly one of many concurrent callers, in any
// number of processes sharing the Redis, gets true.
func (s *Store) Mark(ctx context.Context, name string, ttl time.Duration) (bool, error) {
	k := s.nameKey("mark", name)
	if err := checkTTL("mark", k, ttl); err != nil {
		return false, err
	}
	if ttl > 0 {
		ttl = time.Duration(millis(ttl)) * time.Millisecond
	}
	ok, err := s.client.SetNX(ctx, k, "1", ttl).Result()
	if err != nil {
		return false, opError("mark", k, err)
	}
	return ok, nil
}

// Unmark forgets name (DEL), so that it can be marked again.
func (s *Store) Unmark(ctx context.Context, name string) error {
	k := s.nameKey("mark", name)
	if err := s.client.Del(ctx, k).Err(); err != nil {
		return opError("unmark", k, err)
	}
	return nil
}

// Marked reports whether name is marked now, without marking it.
func (s *Store) Marked(ctx context.Context, name string) (bool, error) {
	k := s.nameKey("mark", name)
	n, err := s.client.Exists(ctx, k).Result()
	if err != nil {
		return false, opError("marked", k, err)
	}
	return n == 1, nil
}
