package redis

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/testkit"
)

func TestLockBasics(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	l1, err := s.Lock(ctx, "chat:1", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if l1.Token() <= 0 {
		t.Fatalf("token = %d", l1.Token())
	}
	// Layout: the lock key holds the owner token, the fence counter the
	// last token.
	bot := strconv.FormatInt(s.bot, 10)
	if v := s.client.Get(ctx, "herald:{"+bot+"}:lock:chat:1").Val(); v == "" || v != l1.(*lock).owner {
		t.Fatalf("lock key holds %q", v)
	}
	if v := s.client.Get(ctx, "herald:{"+bot+"}:fence").Val(); v != strconv.FormatInt(l1.Token(), 10) {
		t.Fatalf("fence = %q, token %d", v, l1.Token())
	}

	// Held: another Lock waits until its ctx ends.
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := s.Lock(short, "chat:1", time.Second); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Lock = %v, want DeadlineExceeded", err)
	}
	// Other names are independent.
	l2, err := s.Lock(ctx, "chat:2", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if l2.Token() <= l1.Token() {
		t.Fatalf("tokens %d then %d", l1.Token(), l2.Token())
	}
	if err := l2.Unlock(ctx); err != nil {
		t.Fatal(err)
	}

	if err := l1.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l1.Unlock(ctx); err != nil {
		t.Fatalf("second Unlock = %v, want the first result (nil)", err)
	}
	l3, err := s.Lock(ctx, "chat:1", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if l3.Token() <= l2.Token() {
		t.Fatalf("fencing token did not grow: %d after %d", l3.Token(), l2.Token())
	}
	l3.Unlock(ctx)
}

// A waiter gets the lock soon after it is released.
func TestLockHandOff(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	l, err := s.Lock(ctx, "h", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan time.Time)
	go func() {
		l2, err := s.Lock(ctx, "h", time.Second)
		if err != nil {
			t.Error(err)
		} else {
			l2.Unlock(ctx)
		}
		got <- time.Now()
	}()
	time.Sleep(150 * time.Millisecond)
	released := time.Now()
	if err := l.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if d := (<-got).Sub(released); d > 200*time.Millisecond {
		t.Fatalf("hand-off took %v", d)
	}
}

// The lease is renewed while held: a short ttl survives many times over.
func TestLockRenewal(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	// The lease outlives a renewal (every ttl/3) delayed by a loaded
	// machine; the waiter gives up after more than three leases. At 90 ms
	// this failed under two concurrent -race runs.
	l, err := s.Lock(ctx, "r", 500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 1800*time.Millisecond)
	defer cancel()
	if _, err := s.Lock(short, "r", time.Second); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("lock was taken from a live holder: %v", err)
	}
	if err := l.Unlock(ctx); err != nil {
		t.Fatalf("Unlock after renewals = %v", err)
	}
}

// A holder that stops renewing (crashed) frees the lock after its ttl.
func TestLockCrashedHolderExpires(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	k := s.nameKey("lock", "c")
	// Take the lock the way a process would, then "crash": no renewal.
	if n, err := acquireScript.Run(ctx, s.client, []string{k, s.fence}, "dead-owner", 150).Int64(); err != nil || n <= 0 {
		t.Fatalf("acquire = %d, %v", n, err)
	}
	start := time.Now()
	l, err := s.Lock(ctx, "c", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock(ctx)
	if d := time.Since(start); d > 2*time.Second { // not the waiter's own second, nor forever; slack for a loaded machine
		t.Fatalf("waited %v for a 150ms lease", d)
	}
}

// Unlock of a lock whose lease was lost leaves the new holder alone.
func TestLockLost(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	l1, err := s.Lock(ctx, "x", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// The lease "expires" (e.g. a partition longer than ttl) ...
	s.client.Del(ctx, s.nameKey("lock", "x"))
	// ... and someone else takes it.
	l2, err := s.Lock(ctx, "x", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if l2.Token() <= l1.Token() {
		t.Fatalf("token %d after %d", l2.Token(), l1.Token())
	}
	err = l1.Unlock(ctx)
	if !errors.Is(err, backend.ErrLockLost) {
		t.Fatalf("stale Unlock = %v, want ErrLockLost", err)
	}
	if err2 := l1.Unlock(ctx); !errors.Is(err2, backend.ErrLockLost) {
		t.Fatalf("second stale Unlock = %v", err2)
	}
	if v := s.client.Get(ctx, s.nameKey("lock", "x")).Val(); v != l2.(*lock).owner {
		t.Fatal("stale Unlock released the new holder's lock")
	}
	if err := l2.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
}

// The renewal notices a lost lease and stops; Unlock then reports it.
func TestLockRenewalNoticesLoss(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	l, err := s.Lock(ctx, "n", 60*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	s.client.Set(ctx, s.nameKey("lock", "n"), "intruder", time.Minute)
	select {
	case <-l.(*lock).done:
	case <-time.After(time.Second):
		t.Fatal("renewal still running after the lock was lost")
	}
	if err := l.Unlock(ctx); !errors.Is(err, backend.ErrLockLost) {
		t.Fatalf("Unlock = %v, want ErrLockLost", err)
	}
	if v := s.client.Get(ctx, s.nameKey("lock", "n")).Val(); v != "intruder" {
		t.Fatal("the other holder's lock was touched")
	}
}

func TestLockMutualExclusion(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	var inside, total atomic.Int64
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			for range 5 {
				l, err := s.Lock(ctx, "m", time.Second)
				if err != nil {
					t.Error(err)
					return
				}
				if inside.Add(1) != 1 {
					t.Error("two holders at once")
				}
				total.Add(1)
				time.Sleep(100 * time.Microsecond)
				inside.Add(-1)
				if err := l.Unlock(ctx); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if total.Load() != 100 {
		t.Fatalf("total = %d", total.Load())
	}
}

func TestLockContext(t *testing.T) {
	s := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Lock(ctx, "c", time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock with a canceled ctx = %v", err)
	}
	// ttl <= 0 uses Options.LockTTL.
	l, err := s.Lock(testkit.Context(t), "d", 0)
	if err != nil {
		t.Fatal(err)
	}
	if ttl := s.client.PTTL(testkit.Context(t), s.nameKey("lock", "d")).Val(); ttl <= 20*time.Second {
		t.Fatalf("lease with ttl 0 = %v, want about 30s", ttl)
	}
	l.Unlock(testkit.Context(t))
}

// Unlock after the lease was lost, while the renewal is still running,
// leaves the new holder's lock alone; Unlock of the new holder then works.
func TestUnlockAfterLossKeepsNewHolder(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	l1, err := s.Lock(ctx, "x", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	s.client.Set(ctx, s.nameKey("lock", "x"), "thief", time.Minute) // expired and retaken
	if err := l1.Unlock(ctx); !errors.Is(err, backend.ErrLockLost) {
		t.Fatalf("Unlock = %v", err)
	}
	<-l1.(*lock).done // Unlock stopped the renewal
	if v := s.client.Get(ctx, s.nameKey("lock", "x")).Val(); v != "thief" {
		t.Fatalf("lock = %q", v)
	}
	if ttl := s.client.PTTL(ctx, s.nameKey("lock", "x")).Val(); ttl <= 0 {
		t.Fatalf("the other holder's lease was changed: %v", ttl)
	}
}
