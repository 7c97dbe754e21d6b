package redis

import (
	"context"
	"errors"
	"fmt"
	neturl "net/url"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend"
)

// Open connects to the Redis at url, a redis://, rediss:// (TLS) or
// unix:// URL as go-redis parses it (goredis.ParseURL: user, password,
// database and query options such as dial_timeout or pool_size), checks
// it with a PING bounded by ctx, and returns a Store for any bot (bot id
// 0, see New) that owns its client: Close closes it. ContextTimeoutEnabled
// is set on the client, so the ctx of every call also bounds its waits on
// the network.
//
// For a Redis Cluster, a Sentinel setup or client options a URL cannot
// say, make the client yourself and use New.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	o, err := goredis.ParseURL(url)
	if err != nil {
		// url.Parse's errors quote the URL, password included: keep only
		// what they say is wrong.
		if uerr, ok := errors.AsType[*neturl.Error](err); ok {
			err = uerr.Err
		}
		return nil, fmt.Errorf("backend/redis: open: %w", err)
	}
	o.ContextTimeoutEnabled = true
	if opts.Logger != nil {
		SetLogger(opts.Logger) // before the first dial, which may log
	}
	client := goredis.NewClient(o)
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("backend/redis: open %s: %w", o.Addr, err)
	}
	s := New(client, 0, opts)
	s.owned = true
	return s, nil
}

// Name returns "redis".
func (s *Store) Name() string { return "redis" }

// State returns s: it keeps conversation records itself.
func (s *Store) State() backend.State { return s }

// Locker returns s: it hands out per-chat locks itself.
func (s *Store) Locker() backend.Locker { return s }

// Claims returns s: it keeps update claims and Once names itself.
func (s *Store) Claims() backend.Claims { return s }

// Limits returns the LimiterStore of the bot botID on the Store's client
// and prefix, created on first use; every call for the same bot returns
// the same one. Its keys carry botID, whatever the Store's own bot is, so
// every process of that bot shares its buckets and pauses.
func (s *Store) Limits(botID int64) backend.LimitStore {
	s.mu.Lock()
	defer s.mu.Unlock()
	ls := s.limits[botID]
	if ls == nil {
		if s.limits == nil {
			s.limits = make(map[int64]*LimiterStore)
		}
		ls = NewLimiterStore(s.client, botID, s.opts)
		s.limits[botID] = ls
	}
	return ls
}

// Broadcasts returns the Store's campaigns (see Broadcasts): those of the
// Store's bot id, shared by every Store with that id and prefix.
func (s *Store) Broadcasts() backend.BroadcastStore { return s.broadcasts }

// Close closes the client when the Store owns it (made by Open) and
// returns the client's error; a Store made by New leaves its client, the
// caller's, open, and Close returns nil. Either way, calls made after
// Close fail once the client is closed, and locks still held stop being
// renewed then. Close may be called more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.owned {
			s.closeErr = s.client.Close()
		}
	})
	return s.closeErr
}

// Ping sends PING to the server (backend.Pinger).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	return nil
}
