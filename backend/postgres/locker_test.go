package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/backoff"
)

// TestLockWakesWaiterOfOtherStore: a waiter on another Store (another
// process) is woken by the NOTIFY of Unlock: it polls only every 30 s
// here, yet gets the lock as soon as it is released.
func TestLockWakesWaiterOfOtherStore(t *testing.T) {
	t.Parallel()
	dsn, schema := testDSN(t)
	a := openAt(t, dsn, schema, Options{})
	b := openAt(t, dsn, schema, Options{})
	b.lockPoll = backoff.Policy{Min: 30 * time.Second, Max: 30 * time.Second} // the wake-up, not a poll, must end the wait
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	held, err := a.Locker().Lock(ctx, "chat:1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan backend.Lock, 1)
	go func() {
		lk, err := b.Locker().Lock(ctx, "chat:1", time.Minute)
		if err != nil {
			t.Errorf("waiting Lock: %v", err)
		}
		got <- lk
	}()
	select {
	case <-b.listening:
	case <-ctx.Done():
		t.Fatal("the waiting Store never listened")
	}
	released := time.Now()
	if err := held.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	lk := <-got
	if lk == nil {
		return
	}
	t.Logf("the waiter on the other Store got the lock %v after Unlock", time.Since(released).Round(time.Millisecond))
	if lk.Token() <= held.Token() {
		t.Errorf("token %d not above the previous holder's %d", lk.Token(), held.Token())
	}
	if err := lk.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestLockCloseStopsWaiters: Close ends a Lock call that waits, and the
// leases of held locks then run out instead of being renewed.
func TestLockCloseStopsWaiters(t *testing.T) {
	t.Parallel()
	dsn, schema := testDSN(t)
	a := openAt(t, dsn, schema, Options{})
	held, err := a.Locker().Lock(t.Context(), "chat:2", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	b := openAt(t, dsn, schema, Options{})
	errc := make(chan error, 1)
	go func() {
		_, err := b.Locker().Lock(t.Context(), "chat:2", time.Minute)
		errc <- err
	}()
	<-b.listening
	b.Close()
	if err := <-errc; !errors.Is(err, errClosed) {
		t.Fatalf("Lock waiting while its Store closed: %v; want errClosed", err)
	}
	if err := held.Unlock(t.Context()); err != nil {
		t.Fatal(err)
	}
}
