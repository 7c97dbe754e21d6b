package sched

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

func TestCloseDrainsQueuedWork(t *testing.T) {
	s := New(Config[int]{Workers: 2})
	gate := make(chan struct{})
	var ran atomic.Int32
	const keys, perKey = 10, 20
	for k := range keys {
		for range perKey {
			if err := s.TrySubmit(k, func(context.Context) { <-gate; ran.Add(1) }); err != nil {
				t.Fatal(err)
			}
		}
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close(context.Background()) }()
	// Close stops accepting before it drains.
	eventually(t, "Close to stop accepting", func() bool {
		return errors.Is(s.TrySubmit(99, noop), ErrClosed)
	})
	notYet(t, closed, "Close before the queued work ran")
	close(gate)
	if err := recv(t, closed, "Close"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if n := ran.Load(); n != keys*perKey {
		t.Errorf("%d tasks ran, want %d", n, keys*perKey)
	}
	recv(t, s.Done(), "Done after a graceful Close")
	if err := s.Submit(context.Background(), 1, noop); !errors.Is(err, ErrClosed) {
		t.Errorf("Submit after Close: %v, want ErrClosed", err)
	}
	if err := s.TrySubmit(1, noop); !errors.Is(err, ErrClosed) {
		t.Errorf("TrySubmit after Close: %v, want ErrClosed", err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Errorf("second Close: %v", err)
	}
	st := checkIdle(t, s)
	if st.Dropped != 0 {
		t.Errorf("graceful Close dropped %d tasks", st.Dropped)
	}
}

func TestCloseHardStop(t *testing.T) {
	s := New(Config[int]{Workers: 1})
	started := make(chan struct{})
	sawCancel := make(chan struct{})
	if err := s.TrySubmit(1, func(ctx context.Context) {
		close(started)
		<-ctx.Done() // a long task that honours its context
		close(sawCancel)
	}); err != nil {
		t.Fatal(err)
	}
	for k := range 3 { // queued: two behind key 1, and key 2 waiting for the slot
		if err := s.TrySubmit(1+k/2, func(context.Context) { t.Error("a discarded task ran") }); err != nil {
			t.Fatal(err)
		}
	}
	recv(t, started, "the long task")

	ctx, cancel := context.WithCancel(context.Background())
	closed := make(chan error, 1)
	go func() { closed <- s.Close(ctx) }()
	notYet(t, closed, "Close before its ctx ended")
	cancel()
	if err := recv(t, closed, "Close after its ctx ended"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close: %v, want context.Canceled", err)
	}
	recv(t, sawCancel, "the running task to see its context cancelled")
	recv(t, s.Done(), "Done after the hard stop")
	st := checkIdle(t, s)
	if st.Dropped != 3 || st.Completed != 1 {
		t.Errorf("stats %+v, want 3 dropped, 1 completed", st)
	}
}

// Close returns at the deadline even if a task ignores its context; Done
// is closed when the task finally returns.
func TestCloseDoesNotWaitForStuckTask(t *testing.T) {
	s := New(Config[int]{})
	stuck, started := make(chan struct{}), make(chan struct{})
	if err := s.TrySubmit(1, func(context.Context) { close(started); <-stuck }); err != nil {
		t.Fatal(err)
	}
	recv(t, started, "the stuck task")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close: %v, want context.Canceled", err)
	}
	notYet(t, s.Done(), "Done while a task runs")
	close(stuck)
	recv(t, s.Done(), "Done after the stuck task returned")
	checkIdle(t, s)
}

func TestCloseWakesWaitingSubmit(t *testing.T) {
	s := New(Config[int]{Workers: 1, MaxQueued: 1})
	release := make(chan struct{})
	fill(t, s, 1, release)
	result := make(chan error, 1)
	go func() { result <- s.Submit(context.Background(), 2, noop) }()
	eventually(t, "Submit to wait", func() bool { return s.Stats().Waiting == 1 })
	closed := make(chan error, 1)
	go func() { closed <- s.Close(context.Background()) }()
	if err := recv(t, result, "the waiting Submit"); !errors.Is(err, ErrClosed) {
		t.Fatalf("waiting Submit at Close: %v, want ErrClosed", err)
	}
	close(release)
	if err := recv(t, closed, "Close"); err != nil {
		t.Fatal(err)
	}
	checkIdle(t, s)
}

func TestCloseIdle(t *testing.T) {
	s := New(Config[string]{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// Nothing to drain: Close succeeds even with a done context.
	if err := s.Close(ctx); err != nil {
		t.Fatalf("Close of an idle scheduler: %v", err)
	}
	recv(t, s.Done(), "Done")
}

// Close racing with many submitters: every accepted task runs exactly
// once (graceful) or is counted as dropped (hard stop); nothing else.
func TestCloseWhileSubmitting(t *testing.T) {
	for _, hard := range []bool{false, true} {
		s := New(Config[int]{Workers: 4, MaxQueued: 32})
		var accepted, ran atomic.Int64
		var wg sync.WaitGroup
		started := make(chan struct{}, 8)
		for g := range 8 {
			wg.Go(func() {
				started <- struct{}{}
				for i := range 5_000 {
					var err error
					if i%2 == 0 {
						err = s.Submit(context.Background(), g*10+i%10, func(context.Context) { ran.Add(1) })
					} else {
						err = s.TrySubmit(g*10+i%10, func(context.Context) { ran.Add(1) })
					}
					switch {
					case err == nil:
						accepted.Add(1)
					case errors.Is(err, ErrClosed):
						return
					case errors.Is(err, ErrFull):
					default:
						t.Errorf("submit: %v", err)
						return
					}
				}
			})
		}
		for range 8 {
			recv(t, started, "submitters to start")
		}
		eventually(t, "some tasks to be accepted", func() bool { return s.Stats().Submitted >= 2_000 })
		ctx, cancel := context.WithCancel(context.Background())
		if hard {
			cancel()
		}
		err := s.Close(ctx)
		cancel()
		// A hard Close finds the scheduler idle now and then: nil is fine.
		if err != nil && (!hard || !errors.Is(err, context.Canceled)) {
			t.Fatalf("hard=%v: Close: %v", hard, err)
		}
		recv(t, s.Done(), "Done")
		wg.Wait()
		st := checkIdle(t, s)
		if got := uint64(ran.Load()); uint64(accepted.Load()) != got+st.Dropped || st.Submitted != got+st.Dropped {
			t.Errorf("hard=%v: accepted %d, ran %d, stats %+v", hard, accepted.Load(), got, st)
		}
		if !hard && st.Dropped != 0 {
			t.Errorf("graceful Close dropped %d", st.Dropped)
		}
	}
}

// The hard stop hands each discarded task to OnDrop, with its key, after
// Close let go of it; tasks that ran are not handed over.
func TestCloseHardStopOnDrop(t *testing.T) {
	var mu sync.Mutex
	var keys []int
	s := New(Config[int]{Workers: 1, OnDrop: func(key int, task Task) {
		mu.Lock()
		keys = append(keys, key)
		mu.Unlock()
		if task == nil {
			t.Error("OnDrop got a nil task")
		}
	}})
	started, release := make(chan struct{}), make(chan struct{})
	if err := s.TrySubmit(1, func(context.Context) { close(started); <-release }); err != nil {
		t.Fatal(err)
	}
	for k := range 3 {
		if err := s.TrySubmit(1+k/2, func(context.Context) { t.Error("a discarded task ran") }); err != nil {
			t.Fatal(err)
		}
	}
	recv(t, started, "the long task")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close: %v", err)
	}
	close(release)
	recv(t, s.Done(), "Done after the hard stop")
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(keys)
	if !slices.Equal(keys, []int{1, 1, 2}) {
		t.Errorf("OnDrop got keys %v, want [1 1 2]", keys)
	}
	if st := s.Stats(); st.Dropped != 3 {
		t.Errorf("Dropped = %d, want 3", st.Dropped)
	}
}
