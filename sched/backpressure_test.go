package sched

import (
	"context"
	"errors"
	"testing"
)

// fill submits n tasks on distinct keys that block until release is
// closed, and waits until min(n, workers) of them run.
func fill(t *testing.T, s *Scheduler[int], n int, release <-chan struct{}) {
	t.Helper()
	started := make(chan struct{}, n)
	for k := range n {
		if err := s.TrySubmit(1000+k, func(context.Context) { started <- struct{}{}; <-release }); err != nil {
			t.Fatalf("fill: %v", err)
		}
	}
	for range min(n, s.workers) {
		recv(t, started, "a filler task to start")
	}
}

func TestBackpressure(t *testing.T) {
	const maxQueued = 3
	s := New(Config[int]{Workers: 2, MaxQueued: maxQueued})
	release := make(chan struct{})
	fill(t, s, maxQueued, release) // 2 running, 1 queued: full

	if err := s.TrySubmit(1, noop); !errors.Is(err, ErrFull) {
		t.Fatalf("TrySubmit on a full scheduler: %v, want ErrFull", err)
	}

	// Submit #N+1 waits until a task finishes.
	ran := make(chan struct{})
	result := make(chan error, 1)
	go func() { result <- s.Submit(context.Background(), 1, func(context.Context) { close(ran) }) }()
	eventually(t, "Submit to wait for room", func() bool { return s.Stats().Waiting == 1 })
	notYet(t, result, "Submit on a full scheduler returning")

	// A waiting Submit keeps its place: TrySubmit does not jump the line.
	if err := s.TrySubmit(2, noop); !errors.Is(err, ErrFull) {
		t.Fatalf("TrySubmit while a Submit waits: %v, want ErrFull", err)
	}

	close(release)
	if err := recv(t, result, "the waiting Submit"); err != nil {
		t.Fatalf("waiting Submit: %v", err)
	}
	recv(t, ran, "the admitted task")
	drain(t, s)
	st := checkIdle(t, s)
	if st.Submitted != maxQueued+1 || st.Rejected != 2 {
		t.Errorf("stats %+v, want %d submitted, 2 rejected", st, maxQueued+1)
	}
}

func TestSubmitContext(t *testing.T) {
	s := New(Config[int]{Workers: 1, MaxQueued: 1})
	release := make(chan struct{})
	defer close(release)

	// A done context fails even when there is room.
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Submit(done, 1, noop); !errors.Is(err, context.Canceled) {
		t.Fatalf("Submit with a cancelled ctx: %v, want context.Canceled", err)
	}
	if st := s.Stats(); st.Submitted != 0 {
		t.Fatalf("a task was accepted with a cancelled ctx: %+v", st)
	}

	fill(t, s, 1, release)
	ctx, cancel := context.WithCancel(context.Background())
	result := make(chan error, 1)
	go func() {
		result <- s.Submit(ctx, 2, func(context.Context) { t.Error("the task of a cancelled Submit ran") })
	}()
	eventually(t, "Submit to wait for room", func() bool { return s.Stats().Waiting == 1 })
	cancel()
	if err := recv(t, result, "the cancelled Submit"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Submit cancelled while waiting: %v, want context.Canceled", err)
	}
	if st := s.Stats(); st.Waiting != 0 || st.Submitted != 1 {
		t.Fatalf("stats after a cancelled wait: %+v", st)
	}
}

// Waiting Submit calls are admitted in arrival order.
func TestWaitersAdmittedInOrder(t *testing.T) {
	s := New(Config[int]{Workers: 1, MaxQueued: 1})
	release := make(chan struct{})
	fill(t, s, 1, release)

	const n = 5
	var order []int // tasks of key 7 run one at a time
	results := make(chan error, n)
	for i := range n {
		go func() {
			results <- s.Submit(context.Background(), 7, func(context.Context) { order = append(order, i) })
		}()
		// Wait until this call is parked before starting the next, so
		// the arrival order is known.
		eventually(t, "Submit to wait", func() bool { return s.Stats().Waiting == i+1 })
	}
	close(release)
	for range n {
		if err := recv(t, results, "a waiting Submit"); err != nil {
			t.Fatal(err)
		}
	}
	drain(t, s)
	for i, v := range order {
		if v != i {
			t.Fatalf("admitted in order %v, want 0..%d", order, n-1)
		}
	}
	if len(order) != n {
		t.Fatalf("%d tasks ran, want %d", len(order), n)
	}
}

func TestMaxPerKey(t *testing.T) {
	s := New(Config[int]{Workers: 4, MaxPerKey: 2})
	release := make(chan struct{})
	started := make(chan struct{})
	if err := s.TrySubmit(1, func(context.Context) { close(started); <-release }); err != nil {
		t.Fatal(err)
	}
	recv(t, started, "key 1's first task")
	if err := s.TrySubmit(1, noop); err != nil { // running + 1 queued = 2
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"TrySubmit": s.TrySubmit(1, noop),
		"Submit":    s.Submit(context.Background(), 1, noop), // fails fast, no wait
	} {
		if !errors.Is(err, ErrKeyFull) || !errors.Is(err, ErrFull) {
			t.Errorf("%s over MaxPerKey: %v, want ErrKeyFull (which is ErrFull)", name, err)
		}
	}
	if err := s.TrySubmit(2, noop); err != nil { // other keys are not affected
		t.Errorf("another key: %v", err)
	}
	close(release)
	drain(t, s)
	if st := checkIdle(t, s); st.Submitted != 3 || st.Rejected != 2 {
		t.Errorf("stats %+v, want 3 submitted, 2 rejected", st)
	}
}

// A waiter admitted when its key is at MaxPerKey gets ErrKeyFull.
func TestMaxPerKeyForWaiters(t *testing.T) {
	s := New(Config[int]{Workers: 2, MaxQueued: 2, MaxPerKey: 1})
	releaseX, releaseY, release5 := make(chan struct{}), make(chan struct{}), make(chan struct{})
	started := make(chan int, 3)
	blocker := func(k int, release chan struct{}) Task {
		return func(context.Context) { started <- k; <-release }
	}
	for k, r := range map[int]chan struct{}{100: releaseX, 101: releaseY} {
		if err := s.TrySubmit(k, blocker(k, r)); err != nil {
			t.Fatal(err)
		}
	}
	recv(t, started, "a filler")
	recv(t, started, "a filler")

	results := make(chan error, 2)
	for i := range 2 {
		go func() { results <- s.Submit(context.Background(), 5, blocker(5, release5)) }()
		eventually(t, "Submit to wait", func() bool { return s.Stats().Waiting == i+1 })
	}
	close(releaseX) // room for one: the first waiter gets it
	if err := recv(t, results, "the first waiter"); err != nil {
		t.Fatal(err)
	}
	recv(t, started, "key 5's task")
	close(releaseY) // room again, but key 5 is at MaxPerKey
	if err := recv(t, results, "the second waiter"); !errors.Is(err, ErrKeyFull) {
		t.Fatalf("second waiter: %v, want ErrKeyFull", err)
	}
	close(release5)
	drain(t, s)
	if st := checkIdle(t, s); st.Submitted != 3 || st.Rejected != 1 {
		t.Errorf("stats %+v, want 3 submitted, 1 rejected", st)
	}
}
