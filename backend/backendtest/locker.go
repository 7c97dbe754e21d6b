package backendtest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/testkit"
)

// lease is the ttl of the locks taken by the tests: long enough that no
// test relies on a lease running out, except where ExpireLock ends it.
const lease = 5 * time.Second

// timeout bounds the waits for a waiter, so that a broken Locker fails
// instead of hanging.
const timeout = 10 * time.Second

// TestLocker runs the contract tests of backend.Locker as subtests, each on a
// Locker returned by newLocker. Pass at most one Options; the stale-holder
// subtest needs Options.ExpireLock and the dead-holder one
// Options.StopRenewal.
func TestLocker(t *testing.T, newLocker func(t *testing.T) backend.Locker, opts ...Options) {
	runSuite(t, newLocker, opts, []subtest[backend.Locker]{
		{"MutualExclusion", testMutualExclusion},
		{"TokensIncrease", testTokensIncrease},
		{"NamesIndependent", testNamesIndependent},
		{"UnlockWakesWaiter", testUnlockWakesWaiter},
		{"CancelWhileWaiting", testCancelWhileWaiting},
		{"HeldBeyondTTL", testHeldBeyondTTL},
		{"StaleHolderUnlock", testStaleHolderUnlock},
		{"DeadHolderLeaseRunsOut", testDeadHolder},
	})
}

func mustLock(t *testing.T, l backend.Locker, name string, ttl time.Duration) backend.Lock {
	t.Helper()
	lk, err := l.Lock(testkit.Context(t), name, ttl)
	if err != nil {
		t.Fatalf("Lock(%q): %v", name, err)
	}
	return lk
}

func mustUnlock(t *testing.T, lk backend.Lock) {
	t.Helper()
	if err := lk.Unlock(testkit.Context(t)); err != nil {
		t.Fatalf("Unlock (token %d): %v", lk.Token(), err)
	}
}

// wantHeld checks that name cannot be locked within 200 ms.
func wantHeld(t *testing.T, l backend.Locker, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	lk, err := l.Lock(ctx, name, lease)
	if err == nil {
		t.Fatalf("Lock(%q) succeeded (token %d) while another holder has it", name, lk.Token())
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock(%q) with an expiring context: %v; want an error wrapping context.DeadlineExceeded", name, err)
	}
}

// testMutualExclusion: 20 goroutines take one lock 5 times each; never
// two inside at once, and the tokens seen inside strictly increase.
func testMutualExclusion(t *testing.T, l backend.Locker, _ Options) {
	ctx := testkit.Context(t)
	name := uniqueName("mutex")
	const workers, rounds = 20, 5
	var (
		wg     sync.WaitGroup
		inside atomic.Int32
		mu     sync.Mutex
		tokens []int64
	)
	for range workers {
		wg.Go(func() {
			for range rounds {
				lk, err := l.Lock(ctx, name, lease)
				if err != nil {
					t.Errorf("Lock: %v", err)
					return
				}
				if n := inside.Add(1); n != 1 {
					t.Errorf("%d holders inside the lock at once", n)
				}
				mu.Lock()
				tokens = append(tokens, lk.Token())
				mu.Unlock()
				time.Sleep(time.Millisecond)
				inside.Add(-1)
				if err := lk.Unlock(ctx); err != nil {
					t.Errorf("Unlock: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	if len(tokens) != workers*rounds {
		t.Fatalf("%d acquisitions, want %d", len(tokens), workers*rounds)
	}
	for i := 1; i < len(tokens); i++ {
		if tokens[i] <= tokens[i-1] {
			t.Fatalf("fencing tokens in acquisition order are not increasing: %d then %d", tokens[i-1], tokens[i])
		}
	}
}

func testTokensIncrease(t *testing.T, l backend.Locker, _ Options) {
	name := uniqueName("tokens")
	var last int64
	for i := range 5 {
		lk := mustLock(t, l, name, lease)
		if i > 0 && lk.Token() <= last {
			t.Fatalf("acquisition %d got token %d after %d", i+1, lk.Token(), last)
		}
		last = lk.Token()
		mustUnlock(t, lk)
	}
}

func testNamesIndependent(t *testing.T, l backend.Locker, _ Options) {
	a, b := uniqueName("a"), uniqueName("b")
	la := mustLock(t, l, a, lease)
	lb := mustLock(t, l, b, lease) // must not wait for a
	wantHeld(t, l, a)
	mustUnlock(t, lb)
	mustUnlock(t, la)
}

// testUnlockWakesWaiter: a waiter gets the lock soon after it is
// released, long before the lease would have run out.
func testUnlockWakesWaiter(t *testing.T, l backend.Locker, _ Options) {
	name := uniqueName("wake")
	held := mustLock(t, l, name, lease)
	got := make(chan backend.Lock, 1)
	go func() {
		lk, err := l.Lock(testkit.Context(t), name, lease)
		if err != nil {
			t.Errorf("waiting Lock: %v", err)
		}
		got <- lk
	}()
	time.Sleep(100 * time.Millisecond)
	select {
	case <-got:
		t.Fatal("the waiter got the lock while it was held")
	default:
	}
	released := time.Now()
	mustUnlock(t, held)
	select {
	case lk := <-got:
		if lk == nil {
			return
		}
		if d := time.Since(released); d > lease/2 {
			t.Errorf("the waiter got the lock %v after Unlock", d)
		}
		if lk.Token() <= held.Token() {
			t.Errorf("the waiter's token %d is not above the previous holder's %d", lk.Token(), held.Token())
		}
		mustUnlock(t, lk)
	case <-time.After(timeout):
		t.Fatal("the waiter did not get the lock after Unlock")
	}
}

// testCancelWhileWaiting: Lock returns the context's error when it ends
// while waiting, and leaves nothing behind that blocks the next holder.
func testCancelWhileWaiting(t *testing.T, l backend.Locker, _ Options) {
	name := uniqueName("cancel")
	held := mustLock(t, l, name, lease)

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	lk, err := l.Lock(ctx, name, lease)
	if err == nil {
		t.Fatalf("Lock succeeded (token %d) while the lock was held", lk.Token())
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock with an expiring context: %v; want an error wrapping context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > lease/2 {
		t.Fatalf("Lock returned %v after its context ended", d)
	}

	ctx2, cancel2 := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		_, err := l.Lock(ctx2, name, lease)
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel2()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Lock cancelled while waiting: %v; want an error wrapping context.Canceled", err)
		}
	case <-time.After(timeout):
		t.Fatal("Lock did not return after its context was cancelled")
	}

	mustUnlock(t, held)
	next := mustLock(t, l, name, lease) // the cancelled waiters hold nothing
	mustUnlock(t, next)
}

// testHeldBeyondTTL: a lock is renewed while held, so it is still held
// after 2.5 times its ttl and its Unlock succeeds.
func testHeldBeyondTTL(t *testing.T, l backend.Locker, o Options) {
	// Renewals come every ttl/3 on the real clock; a ttl this long leaves
	// a renewal a second of slack on a loaded machine (600 ms, with 400 ms
	// of slack, once failed under go test -race with packages in parallel).
	const ttl = 1500 * time.Millisecond
	name := uniqueName("renew")
	lk := mustLock(t, l, name, ttl)
	time.Sleep(ttl * 5 / 2)
	wantHeld(t, l, name)
	mustUnlock(t, lk)
	mustUnlock(t, mustLock(t, l, name, ttl))
}

// testStaleHolderUnlock: when a holder's lease runs out (Options.ExpireLock)
// and someone else takes the lock, the old holder's Unlock returns
// backend.ErrLockLost and does not release the new holder's lock.
func testStaleHolderUnlock(t *testing.T, l backend.Locker, o Options) {
	if o.ExpireLock == nil {
		t.Skip("backendtest.Options.ExpireLock is nil: cannot make a lease run out")
	}
	name := uniqueName("stale")
	stale := mustLock(t, l, name, lease)
	o.ExpireLock(t, stale)
	fresh := mustLock(t, l, name, lease)
	if fresh.Token() <= stale.Token() {
		t.Fatalf("the new holder's token %d is not above the stale holder's %d", fresh.Token(), stale.Token())
	}
	if err := stale.Unlock(testkit.Context(t)); !errors.Is(err, backend.ErrLockLost) {
		t.Fatalf("Unlock by the stale holder: %v; want backend.ErrLockLost", err)
	}
	wantHeld(t, l, name)
	mustUnlock(t, fresh)
}

// testDeadHolder: a holder that stops renewing (Options.StopRenewal, as if
// it had been killed) keeps the lock until its lease runs out, and a
// waiter takes the lock within a second of that: no earlier than ttl after
// the acquisition, no later than ttl + 1 s after the renewal stopped. This
// is what lets a runtime that takes chat locks with a short lease hand a
// dead instance's chats to another within a few seconds.
func testDeadHolder(t *testing.T, l backend.Locker, o Options) {
	if o.StopRenewal == nil {
		t.Skip("backendtest.Options.StopRenewal is nil: the Locker's leases do not run out")
	}
	const ttl = time.Second
	name := uniqueName("dead")
	acquiring := time.Now()
	dead := mustLock(t, l, name, ttl)
	o.StopRenewal(t, dead)
	stopped := time.Now()
	wantHeld(t, l, name) // stopping the renewal did not end the lease

	lk, err := l.Lock(testkit.Context(t), name, lease)
	if err != nil {
		t.Fatalf("Lock while the dead holder's lease runs out: %v", err)
	}
	got := time.Now()
	if d := got.Sub(acquiring); d < ttl-100*time.Millisecond {
		t.Errorf("the waiter got the lock %v after the dead holder took it, before its %v lease ran out", d, ttl)
	}
	if d := got.Sub(stopped); d > ttl+time.Second {
		t.Errorf("the waiter got the lock %v after the holder stopped renewing; want at most ttl + 1 s = %v", d, ttl+time.Second)
	}
	if lk.Token() <= dead.Token() {
		t.Errorf("the new holder's token %d is not above the dead holder's %d", lk.Token(), dead.Token())
	}
	if err := dead.Unlock(testkit.Context(t)); !errors.Is(err, backend.ErrLockLost) {
		t.Errorf("Unlock by the dead holder: %v; want backend.ErrLockLost", err)
	}
	wantHeld(t, l, name)
	mustUnlock(t, lk)
}
