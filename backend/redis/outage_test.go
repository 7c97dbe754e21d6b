package redis

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/tg"
)

// ownRedis is a redis-server started by a test, on its own port, without
// persistence.
type ownRedis struct {
	t    *testing.T
	bin  string
	port int
	cmd  *exec.Cmd
	out  bytes.Buffer
}

// startOwnRedis starts redis-server on a free port, or skips when it is not
// installed (fails when CI=true).
func startOwnRedis(t *testing.T) *ownRedis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		testkit.Missing(t, "install it (apt-get install redis-server) to run this test", "redis-server is not on PATH")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	quietRedisLog(t)
	r := &ownRedis{t: t, bin: bin, port: port}
	r.start()
	t.Cleanup(r.kill)
	return r
}

func (r *ownRedis) addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

func (r *ownRedis) start() {
	r.t.Helper()
	r.out.Reset()
	r.cmd = exec.Command(r.bin,
		"--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no")
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.out
	if err := r.cmd.Start(); err != nil {
		r.t.Fatalf("start redis-server: %v", err)
	}
	c := goredis.NewClient(&goredis.Options{Addr: r.addr(), MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("redis-server on %s did not come up: %v\n%s", r.addr(), err, r.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill stops the server hard (SIGKILL) and waits for it to exit.
func (r *ownRedis) kill() {
	if r.cmd == nil {
		return
	}
	r.cmd.Process.Signal(syscall.SIGCONT) // in case it was stopped
	r.cmd.Process.Kill()
	r.cmd.Wait()
	r.cmd = nil
}

// Redis going away: calls fail fast with errors naming the operation and
// the key, nothing panics or hangs, and the same Store works again once
// Redis is back on the same port.
func TestRedisGoingAway(t *testing.T) {
	r := startOwnRedis(t)
	client := goredis.NewClient(&goredis.Options{
		Addr:                  r.addr(),
		DialTimeout:           500 * time.Millisecond,
		ReadTimeout:           500 * time.Millisecond,
		WriteTimeout:          500 * time.Millisecond,
		ContextTimeoutEnabled: true,
	})
	defer client.Close()
	s := New(client, 42, Options{})
	key := backend.Key{ChatID: 7, UserID: 7}
	bg := context.Background()

	if _, err := s.CompareAndSet(bg, key, 0, backend.Record{State: "before"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if st, err := s.Claim(bg, "m", "o1", time.Minute); err != nil || st != backend.Claimed {
		t.Fatalf("Claim = %v, %v", st, err)
	}
	bc := s.Broadcasts()
	camp, err := bc.Create(bg, backend.Campaign{Message: backend.CampaignMessage{Text: "hi"}}, []int64{1, 2}, time.Now())
	if err != nil || camp.ID != 1 {
		t.Fatalf("Create = %+v, %v", camp, err)
	}
	held, err := s.Lock(bg, "held", 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}

	r.kill()

	// Every operation fails, quickly, with a clear error.
	ops := []struct {
		name, key string
		call      func(ctx context.Context) error
	}{
		{"get", "herald:{42}:fsm:7:7:0", func(ctx context.Context) error { _, err := s.Get(ctx, key); return err }},
		{"set", "herald:{42}:fsm:7:7:0", func(ctx context.Context) error {
			_, err := s.CompareAndSet(ctx, key, 1, backend.Record{State: "during"}, 0)
			return err
		}},
		{"delete", "herald:{42}:fsm:7:7:0", func(ctx context.Context) error { return s.Delete(ctx, key) }},
		{"claim", "herald:{42}:claim:m2", func(ctx context.Context) error { _, err := s.Claim(ctx, "m2", "o2", time.Minute); return err }},
		{"extend claim", "herald:{42}:claim:m", func(ctx context.Context) error { return s.Extend(ctx, "m", "o1", time.Minute) }},
		{"finish claim", "herald:{42}:claim:m", func(ctx context.Context) error { return s.Finish(ctx, "m", "o1", time.Hour) }},
		{"release claim", "herald:{42}:claim:m", func(ctx context.Context) error { return s.Release(ctx, "m", "o1") }},
		{"broadcast create", "herald:{42}:bc:ids", func(ctx context.Context) error {
			_, err := bc.Create(ctx, backend.Campaign{Message: backend.CampaignMessage{Text: "hi"}}, []int64{1}, time.Now())
			return err
		}},
		{"broadcast begin", "herald:{42:bc:1}:r", func(ctx context.Context) error { return bc.Begin(ctx, 1, 1, time.Now()) }},
		{"broadcast progress", "herald:{42:bc:1}:meta", func(ctx context.Context) error { _, err := bc.Progress(ctx, 1); return err }},
		{"lock", "herald:{42}:lock:other", func(ctx context.Context) error { _, err := s.Lock(ctx, "other", time.Second); return err }},
	}
	for _, op := range ops {
		ctx, cancel := context.WithTimeout(bg, 3*time.Second)
		start := time.Now()
		err := op.call(ctx)
		took := time.Since(start)
		cancel()
		if err == nil {
			t.Fatalf("%s succeeded with Redis down", op.name)
		}
		want := "backend/redis: " + op.name + " " + op.key + ": "
		if !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s error = %q, want prefix %q", op.name, err, want)
		}
		if errors.Is(err, backend.ErrConflict) || errors.Is(err, backend.ErrCorrupt) ||
			errors.Is(err, backend.ErrClaimLost) || errors.Is(err, backend.ErrCampaignNotFound) {
			t.Errorf("%s error %q looks like a data error", op.name, err)
		}
		if took > 2*time.Second {
			t.Errorf("%s took %v with Redis down", op.name, took)
		}
		t.Logf("%s: %v (%v)", op.name, err, took.Round(time.Millisecond))
	}
	if err := held.Unlock(bg); err == nil || !strings.HasPrefix(err.Error(), "backend/redis: unlock herald:{42}:lock:held: ") {
		t.Errorf("Unlock with Redis down = %v", err)
	}

	r.start()

	// The same Store recovers (go-redis reconnects; the scripts are sent
	// again because the new server has an empty script cache).
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(bg, time.Second)
		_, err := s.Get(ctx, key)
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recovery after Redis came back: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	ctx := testkit.Context(t)
	rec, err := s.Get(ctx, key)
	if err != nil || rec.Version != 0 { // the server kept nothing (--save "")
		t.Fatalf("Get after restart = %+v, %v", rec, err)
	}
	if v, err := s.CompareAndSet(ctx, key, 0, backend.Record{State: "after"}, time.Minute); err != nil || v != 1 {
		t.Fatalf("CompareAndSet after restart = %d, %v", v, err)
	}
	// The claim went with the old server's data: a new owner gets it.
	if st, err := s.Claim(ctx, "m", "o3", time.Minute); err != nil || st != backend.Claimed {
		t.Fatalf("Claim after restart = %v, %v", st, err)
	}
	if err := s.Finish(ctx, "m", "o3", time.Minute); err != nil {
		t.Fatalf("Finish after restart: %v", err)
	}
	// So did the campaign; new ones can be made and run.
	if _, err := bc.Progress(ctx, camp.ID); !errors.Is(err, backend.ErrCampaignNotFound) {
		t.Fatalf("Progress of the campaign lost with the server = %v, want ErrCampaignNotFound", err)
	}
	camp, err = bc.Create(ctx, backend.Campaign{Message: backend.CampaignMessage{Text: "again"}}, []int64{3}, time.Now())
	if err != nil {
		t.Fatalf("Create after restart: %v", err)
	}
	if err := bc.Begin(ctx, camp.ID, 3, time.Now()); err != nil {
		t.Fatalf("Begin after restart: %v", err)
	}
	l, err := s.Lock(ctx, "held", time.Second)
	if err != nil {
		t.Fatalf("Lock after restart: %v", err)
	}
	if err := l.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	// The lock held across the outage is gone with the old server.
	if err := held.Unlock(ctx); !errors.Is(err, backend.ErrLockLost) {
		t.Fatalf("Unlock of the lock held across the outage = %v, want ErrLockLost", err)
	}
}

// A frozen Redis (SIGSTOP: connections open, no replies) does not hang
// callers beyond their ctx, and the Store works again once it thaws.
func TestRedisFrozen(t *testing.T) {
	r := startOwnRedis(t)
	client := goredis.NewClient(&goredis.Options{
		Addr:                  r.addr(),
		ContextTimeoutEnabled: true, // ctx deadlines reach the socket
	})
	defer client.Close()
	s := New(client, 42, Options{})
	key := backend.Key{ChatID: 1}
	if _, err := s.CompareAndSet(context.Background(), key, 0, backend.Record{State: "x"}, 0); err != nil {
		t.Fatal(err)
	}

	if err := r.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	for _, op := range []func(ctx context.Context) error{
		func(ctx context.Context) error { _, err := s.Get(ctx, key); return err },
		func(ctx context.Context) error {
			_, err := s.CompareAndSet(ctx, key, 1, backend.Record{}, 0)
			return err
		},
		func(ctx context.Context) error { _, err := s.Claim(ctx, "f", "o", time.Minute); return err },
		func(ctx context.Context) error { _, err := s.Broadcasts().Progress(ctx, 1); return err },
		func(ctx context.Context) error { _, err := s.Lock(ctx, "f", time.Second); return err },
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		start := time.Now()
		err := op(ctx)
		took := time.Since(start)
		cancel()
		if err == nil || !strings.HasPrefix(err.Error(), "backend/redis: ") {
			t.Fatalf("op on a frozen Redis = %v", err)
		}
		if took > time.Second {
			t.Fatalf("op on a frozen Redis took %v (ctx allowed 200ms): %v", took, err)
		}
		t.Logf("frozen: %v (%v)", err, took.Round(time.Millisecond))
	}
	if err := r.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		rec, err := s.Get(ctx, key)
		cancel()
		if err == nil {
			if rec.State != "x" {
				t.Fatalf("after thaw: %+v", rec)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recovery after thaw: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// SCRIPT FLUSH (or a failover to a replica with an empty script cache)
// does not break anything: every script is sent again, and a held lock
// keeps being renewed.
func TestScriptFlush(t *testing.T) {
	r := startOwnRedis(t)
	client := goredis.NewClient(&goredis.Options{Addr: r.addr()})
	defer client.Close()
	s := New(client, 42, Options{})
	ls := NewLimiterStore(client, 42, Options{})
	ctx := testkit.Context(t)
	key := backend.Key{ChatID: 1}
	if _, err := s.CompareAndSet(ctx, key, 0, backend.Record{State: "a"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	// Long enough that a renewal (every ttl/3) delayed by a loaded
	// machine does not lose the lease: at 150 ms this failed under load.
	const ttl = time.Second
	held, err := s.Lock(ctx, "held", ttl)
	if err != nil {
		t.Fatal(err)
	}
	req := &backend.LimitRequest{N: 1, Buckets: []backend.LimitBucket{{Scope: backend.ScopeGlobal, Rate: backend.Rate{Count: 1000, Per: time.Second}}}}
	if _, err := ls.Take(ctx, req); err != nil {
		t.Fatal(err)
	}
	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if v, err := s.CompareAndSet(ctx, key, 1, backend.Record{State: "b"}, time.Minute); err != nil || v != 2 {
		t.Fatalf("CompareAndSet after SCRIPT FLUSH = %d, %v", v, err)
	}
	l, err := s.Lock(ctx, "other", time.Second)
	if err != nil {
		t.Fatalf("Lock after SCRIPT FLUSH: %v", err)
	}
	if err := l.Unlock(ctx); err != nil {
		t.Fatalf("Unlock after SCRIPT FLUSH: %v", err)
	}
	if _, err := ls.Take(ctx, req); err != nil {
		t.Fatalf("Take after SCRIPT FLUSH: %v", err)
	}
	if err := ls.Pause(ctx, tg.ChatID{}, time.Millisecond); err != nil {
		t.Fatalf("Pause after SCRIPT FLUSH: %v", err)
	}
	// The renewal reloads the extend script: the lease, ttl long, outlives
	// several of its ttls (renewals every ttl/3).
	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * ttl / 2)
	if err := held.Unlock(ctx); err != nil {
		t.Fatalf("Unlock of a lock held across SCRIPT FLUSH = %v", err)
	}
}

// A restart of Redis without persistence loses the lease: the renewal
// notices it once Redis is back and stops, Unlock reports ErrLockLost,
// and the name can be taken again.
func TestLockRenewalAcrossRestart(t *testing.T) {
	r := startOwnRedis(t)
	client := goredis.NewClient(&goredis.Options{Addr: r.addr(), DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer client.Close()
	s := New(client, 42, Options{})
	ctx := testkit.Context(t)
	l, err := s.Lock(ctx, "r", 150*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	r.kill()
	select {
	case <-l.(*lock).done:
		t.Fatal("renewal gave up while Redis was away")
	case <-time.After(300 * time.Millisecond):
	}
	r.start()
	select {
	case <-l.(*lock).done:
	case <-time.After(5 * time.Second):
		t.Fatal("renewal still running after Redis came back without the lock")
	}
	if err := l.Unlock(ctx); !errors.Is(err, backend.ErrLockLost) {
		t.Fatalf("Unlock = %v, want ErrLockLost", err)
	}
	l2, err := s.Lock(ctx, "r", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// The fencing counter went with the old server's data, yet the new
	// holder's token must still be larger: a store that remembers the
	// largest token it saw would otherwise refuse the new holder and
	// accept the stale one.
	if l2.Token() <= l.Token() {
		t.Errorf("token after the restart %d, before %d", l2.Token(), l.Token())
	}
	if err := l2.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
}

// A call on a closed client fails at once, naming the operation and the
// key, with goredis.ErrClosed reachable.
func TestClosedClientErrors(t *testing.T) {
	c := goredis.NewClient(&goredis.Options{Addr: testkit.RedisAddr()})
	c.Close()
	s := New(c, 7, Options{})
	_, err := s.Claim(context.Background(), "x", "o", time.Minute)
	if err == nil || !strings.HasPrefix(err.Error(), "backend/redis: claim herald:{7}:claim:x: ") || !errors.Is(err, goredis.ErrClosed) {
		t.Fatalf("Claim on a closed client = %v", err)
	}
	_, err = s.Broadcasts().Progress(context.Background(), 3)
	if err == nil || !strings.HasPrefix(err.Error(), "backend/redis: broadcast progress herald:{7:bc:3}:meta: ") || !errors.Is(err, goredis.ErrClosed) {
		t.Fatalf("Progress on a closed client = %v", err)
	}
	ls := NewLimiterStore(c, 7, Options{Prefix: "p"})
	if err := ls.Pause(context.Background(), tg.ChatID{}, time.Second); err == nil || !strings.Contains(err.Error(), "p:{7}:limit:pause") {
		t.Fatalf("Pause on a closed client = %v", err)
	}
}

// quietRedisLog keeps go-redis' own log lines (one per failed dial while
// the server is down) out of the test output for the test's duration. It
// goes through SetLogger: replacing go-redis's logger directly would
// take the slog adapter out for the tests that run after it.
func quietRedisLog(t *testing.T) {
	SetLogger(nil)
	t.Cleanup(func() { SetLogger(slog.Default()) })
}
