package redis

import (
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/backendtest"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/tg"
)

// openTestStore opens a Store with Open on the test Redis, under a prefix
// of its own (a Store from Open serves bot 0, whose campaigns every such
// Store would share), and deletes its keys when the test ends.
func openTestStore(t *testing.T) *Store {
	t.Helper()
	testkit.NeedRedis(t)
	s, err := Open(testkit.Context(t), "redis://"+testkit.RedisAddr()+"/0?client_name=herald-test", Options{Prefix: "herald-test-" + crand.Text()})
	if err != nil {
		t.Fatal(err)
	}
	// Cleanups run last in, first out: the keys go before the client.
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	cleanupBot(t, s.client, s.opts.Prefix, 0)
	return s
}

// Open: a Store for bot 0 on a client of its own, with ctx deadlines on
// the socket, that Close closes (once); Name, State, Locker and Claims.
func TestOpen(t *testing.T) {
	s := openTestStore(t)
	ctx := testkit.Context(t)
	if s.Name() != "redis" || s.BotID() != 0 {
		t.Fatalf("Name %q, BotID %d", s.Name(), s.BotID())
	}
	if s.State() != backend.State(s) || s.Locker() != backend.Locker(s) || s.Claims() != backend.Claims(s) {
		t.Fatal("State, Locker and Claims are not the Store itself")
	}
	c := s.client.(*goredis.Client)
	if !c.Options().ContextTimeoutEnabled || c.Options().ClientName != "herald-test" {
		t.Fatalf("client options: ContextTimeoutEnabled %v, ClientName %q", c.Options().ContextTimeoutEnabled, c.Options().ClientName)
	}
	// Records are filed under the bot of their key, other keys under {0}.
	bot := randomBot()
	cleanupBot(t, s.client, s.opts.Prefix, bot)
	if _, err := s.CompareAndSet(ctx, backend.Key{BotID: bot, ChatID: 1, UserID: 1}, 0, backend.Record{State: "x"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if n := s.client.Exists(ctx, fmt.Sprintf("%s:{%d}:fsm:1:1:0", s.opts.Prefix, bot)).Val(); n != 1 {
		t.Fatal("record not under its bot's hash tag")
	}
	name := fmt.Sprintf("update:%d:1", bot)
	if st, err := s.Claim(ctx, name, "o", time.Minute); err != nil || st != backend.Claimed {
		t.Fatalf("Claim = %v, %v", st, err)
	}
	if n := s.client.Exists(ctx, s.opts.Prefix+":{0}:claim:"+name).Val(); n != 1 {
		t.Fatal("claim not under {0}")
	}

	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := s.Get(context.Background(), backend.Key{ChatID: 1}); !errors.Is(err, goredis.ErrClosed) {
		t.Fatalf("Get after Close = %v, want the client closed", err)
	}
}

// Open fails, without leaking the URL's password, on a malformed URL and
// on a Redis that does not answer.
func TestOpenErrors(t *testing.T) {
	for _, url := range []string{"redis://u:s3cret@host:port/0", "http://u:s3cret@host/0", "redis://u:s3cret@host/0?bogus=1"} {
		s, err := Open(context.Background(), url, Options{})
		if err == nil {
			s.Close()
			t.Fatalf("Open(%q) succeeded", url)
		}
		if strings.Contains(err.Error(), "s3cret") || !strings.HasPrefix(err.Error(), "backend/redis: open: ") {
			t.Errorf("Open(%q) = %q", url, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	s, err := Open(ctx, "redis://:s3cret@127.0.0.1:1/0?max_retries=-1", Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open of a closed port succeeded")
	}
	if strings.Contains(err.Error(), "s3cret") || !strings.HasPrefix(err.Error(), "backend/redis: open 127.0.0.1:1: ") {
		t.Errorf("Open of a closed port = %q", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Open of a closed port took %v", d)
	}
}

// A Store made by New leaves its client open on Close.
func TestCloseLeavesTheCallersClient(t *testing.T) {
	s := newStore(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(testkit.Context(t), backend.Key{ChatID: 1}); err != nil {
		t.Fatalf("Get after Close of a Store made by New = %v", err)
	}
}

// Limits: one LimiterStore per bot, on the Store's client and prefix,
// keyed by that bot whatever the Store's own bot is.
func TestLimits(t *testing.T) {
	s, ctx := New(newClient(t), randomBot(), Options{Prefix: "hx"}), testkit.Context(t)
	bot := randomBot()
	cleanupBot(t, s.client, "hx", bot)
	ls := s.Limits(bot)
	if s.Limits(bot) != ls || s.Limits(bot+1) == ls {
		t.Fatal("Limits does not keep one store per bot")
	}
	if err := ls.Pause(ctx, tg.ID(5), time.Minute); err != nil {
		t.Fatal(err)
	}
	if n := s.client.Exists(ctx, fmt.Sprintf("hx:{%d}:limit:pause:5", bot)).Val(); n != 1 {
		t.Fatal("pause not under the bot given to Limits")
	}
}

// The BroadcastStore contract on Stores made by Open (bot 0).
func TestBroadcastsOpen(t *testing.T) {
	backendtest.TestBroadcastStore(t, func(t *testing.T) backend.BroadcastStore { return openTestStore(t).Broadcasts() })
}
