package redis

import (
	"context"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Tests run against a real Redis: 127.0.0.1:6379, or HERALD_REDIS_ADDR.
// When it is unreachable they skip, unless CI=true, where they fail.

func redisAddr() string {
	if a := os.Getenv("HERALD_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

func inCI() bool { return os.Getenv("CI") == "true" }

// reachable pings the test Redis once per test binary, without retries, so
// that a missing server costs one dial, not one per test.
var reachable = sync.OnceValue(func() error {
	c := goredis.NewClient(&goredis.Options{Addr: redisAddr(), DialTimeout: 2 * time.Second, MaxRetries: -1})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return c.Ping(ctx).Err()
})

// needRedis skips the test when the test Redis is unreachable (fails it
// when CI=true).
func needRedis(tb testing.TB) {
	tb.Helper()
	if err := reachable(); err != nil {
		if inCI() {
			tb.Fatalf("Redis at %s is unreachable (%v); CI=true, so this fails instead of skipping", redisAddr(), err)
		}
		tb.Skipf("Redis at %s is unreachable (%v): start redis-server or set HERALD_REDIS_ADDR (skipped because CI is not true)", redisAddr(), err)
	}
}

// newClient connects to the test Redis or skips (fails when CI=true).
func newClient(tb testing.TB) *goredis.Client {
	tb.Helper()
	needRedis(tb)
	c := goredis.NewClient(&goredis.Options{Addr: redisAddr()})
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

func ctxT(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	tb.Cleanup(cancel)
	return ctx
}
