package redis

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/internal/testkit"
)

// Tests run against a real Redis: testkit.RedisAddr (127.0.0.1:6379, or
// HERALD_REDIS_ADDR). When it is unreachable they skip, unless CI=true,
// where they fail.

// newClient connects to the test Redis or skips (fails when CI=true).
func newClient(tb testing.TB) *goredis.Client {
	tb.Helper()
	c := goredis.NewClient(&goredis.Options{Addr: testkit.NeedRedis(tb)})
	tb.Cleanup(func() { c.Close() })
	return c
}

// randomBot returns a bot id no other test uses.
func randomBot() int64 { return 1_000_000_000 + rand.Int64N(1<<40) }

// newStore returns a Store for a fresh random bot on the test Redis, whose
// keys are deleted when the test ends.
func newStore(tb testing.TB) *Store {
	tb.Helper()
	c := newClient(tb)
	s := New(c, randomBot(), Options{})
	cleanupBot(tb, c, s.opts.Prefix, s.bot)
	return s
}

// cleanupBot deletes every key of bot at the end of the test: those
// under its hash tag and those of its campaigns.
func cleanupBot(tb testing.TB, c goredis.UniversalClient, prefix string, bot int64) {
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s := New(c, bot, Options{Prefix: prefix})
		for _, pattern := range []string{s.base + "*", s.broadcasts.tag + "*"} {
			iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
			var keys []string
			for iter.Next(ctx) {
				keys = append(keys, iter.Val())
			}
			if err := iter.Err(); err != nil {
				tb.Logf("cleanup of %s: %v", pattern, err)
				continue
			}
			if len(keys) > 0 {
				if err := c.Del(ctx, keys...).Err(); err != nil {
					tb.Logf("cleanup of %s: %v", pattern, err)
				}
			}
		}
	})
}
