package limit

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/tg"
)

// A waiter whose context ends just as it is handed the turn passes the
// turn on: the caller queued behind it is not stranded.
func TestGateTurnHandedAsContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var waiting atomic.Int64
		g := &gate{waiting: &waiting}
		holder := &waiter{seq: 1, index: -1}
		if err := g.enter(context.Background(), holder, 0); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		late := &waiter{seq: 2, index: -1}
		lateErr := make(chan error, 1)
		go func() { lateErr <- g.enter(ctx, late, 0) }()
		next := &waiter{seq: 3, index: -1}
		nextErr := make(chan error, 1)
		waitFor := func(n int64) {
			t.Helper()
			synctest.Wait() // the callers started are queued
			if got := waiting.Load(); got != n {
				t.Fatalf("%d waiting, want %d", got, n)
			}
		}
		waitFor(1)
		go func() { nextErr <- g.enter(context.Background(), next, 0) }()
		waitFor(2)

		// Under the gate's lock: end late's context, then hand it the turn.
		// late wakes on its context but finds it holds the turn.
		g.mu.Lock()
		cancel()
		g.busy = false
		g.dispatchLocked()
		g.mu.Unlock()

		select {
		case err := <-lateErr:
			if err == nil { // it took the turn before seeing its context end
				g.leave()
			} else if !errors.Is(err, context.Canceled) {
				t.Fatalf("late enter = %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("late waiter never returned")
		}
		select {
		case err := <-nextErr:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the turn was lost: the next waiter never got it")
		}
		g.leave()
		if n := waiting.Load(); n != 0 || g.busy || g.queue.Len() != 0 {
			t.Fatalf("gate left with %d waiting, busy %v, queue %d", n, g.busy, g.queue.Len())
		}
	})
}

// A deadline that ends while waiting ends the wait.
func TestDeadlineWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := newUnit(Config{Global: Rate{Count: 1, Per: time.Hour}}, ok)
		ctx := context.Background()
		if err := u.call.Call(ctx, "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(1)}, nil); err != nil {
			t.Fatal(err)
		}
		short, cancel := context.WithTimeout(ctx, 20*time.Millisecond) // long before the hour's slot
		defer cancel()
		start := time.Now()
		err := u.call.Call(short, "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(2)}, nil)
		if err == nil || short.Err() == nil {
			t.Fatalf("err = %v", err)
		}
		if waited := time.Since(start); waited != 20*time.Millisecond {
			t.Fatalf("the call returned after %v, want at the deadline (20ms)", waited)
		}
		if n := u.lim.Stats().Waiting; n != 0 {
			t.Fatalf("%d waiting", n)
		}
	})
}
