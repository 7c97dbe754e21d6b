package sched

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

func TestFIFOPerKeyUnderConcurrency(t *testing.T) {
	const (
		submitters   = 32
		keysPerSub   = 16
		tasksPerKey  = 40
		keys         = submitters * keysPerSub
		totalPerKeys = keys * tasksPerKey
	)
	// Few workers and a small queue, so keys queue up, take turns and
	// Submit waits for room.
	s := New(Config[int]{Workers: 8, MaxQueued: 64})
	// seen[k] is written only by tasks of key k; the race detector checks
	// that the scheduler orders them (one at a time, with happens-before).
	seen := make([][]int, keys)

	var wg sync.WaitGroup
	for g := range submitters {
		wg.Go(func() {
			for i := range tasksPerKey {
				for j := range keysPerSub {
					k := g*keysPerSub + j
					if err := s.Submit(context.Background(), k, func(context.Context) {
						seen[k] = append(seen[k], i)
					}); err != nil {
						t.Errorf("Submit: %v", err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	drain(t, s)

	want := make([]int, tasksPerKey)
	for i := range want {
		want[i] = i
	}
	for k, got := range seen {
		if !slices.Equal(got, want) {
			t.Fatalf("key %d ran %v, want %v", k, got, want)
		}
	}
	st := checkIdle(t, s)
	if st.Submitted != totalPerKeys || st.Completed != totalPerKeys {
		t.Errorf("stats %+v, want %d submitted and completed", st, totalPerKeys)
	}
}

func TestConcurrencyLimits(t *testing.T) {
	const (
		workers     = 4
		keys        = 50
		tasksPerKey = 40
	)
	s := New(Config[int]{Workers: workers})
	var (
		perKey     [keys]atomic.Int32
		running    atomic.Int32
		maxRunning atomic.Int32
		violations atomic.Int32
	)
	task := func(k int) Task {
		return func(context.Context) {
			if perKey[k].Add(1) != 1 {
				violations.Add(1)
			}
			n := running.Add(1)
			for {
				m := maxRunning.Load()
				if n <= m || maxRunning.CompareAndSwap(m, n) {
					break
				}
			}
			for range 10 {
				runtime.Gosched()
			}
			running.Add(-1)
			perKey[k].Add(-1)
		}
	}
	var wg sync.WaitGroup
	for k := range keys {
		wg.Go(func() {
			for range tasksPerKey {
				if err := s.Submit(context.Background(), k, task(k)); err != nil {
					t.Errorf("Submit: %v", err)
				}
			}
		})
	}
	wg.Wait()
	drain(t, s)
	if v := violations.Load(); v != 0 {
		t.Errorf("%d times two tasks of one key ran at once", v)
	}
	if m := maxRunning.Load(); m > workers {
		t.Errorf("%d tasks ran at once, cap is %d", m, workers)
	}
	checkIdle(t, s)
}

func TestCapHoldsExtraKeysInLine(t *testing.T) {
	const workers = 4
	s := New(Config[int]{Workers: workers})
	release := make(chan struct{})
	started := make(chan int, workers+1)
	for k := range workers + 1 {
		if err := s.TrySubmit(k, func(context.Context) { started <- k; <-release }); err != nil {
			t.Fatal(err)
		}
	}
	for range workers {
		recv(t, started, "a task to start")
	}
	// The 5th key was accepted but holds no slot: it waits in line.
	if st := s.Stats(); st.Running != workers || st.Queued != 1 || st.Keys != workers+1 {
		t.Fatalf("stats %+v, want %d running, 1 queued, %d keys", st, workers, workers+1)
	}
	notYet(t, started, "the 5th key's task")
	close(release)
	if k := recv(t, started, "the 5th key's task"); k != workers {
		t.Errorf("key %d started, want %d", k, workers)
	}
	drain(t, s)
	checkIdle(t, s)
}

func TestNoHeadOfLineBlocking(t *testing.T) {
	s := New(Config[string]{Workers: 2})
	blockA := make(chan struct{})
	aStarted := make(chan struct{})
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Submit(ctx, "A", func(context.Context) { close(aStarted); <-blockA }))
	recv(t, aStarted, "A's first task")
	aLater := make(chan struct{})
	for range 3 { // queued behind A's stuck task
		must(s.Submit(ctx, "A", func(context.Context) { aLater <- struct{}{} }))
	}
	const n = 200
	bDone := make(chan int, n)
	for i := range n {
		must(s.Submit(ctx, "B", func(context.Context) { bDone <- i }))
	}
	for i := range n {
		if got := recv(t, bDone, "B's tasks while A is stuck"); got != i {
			t.Fatalf("B ran task %d, want %d", got, i)
		}
	}
	notYet(t, aLater, "A's second task before its first returned")
	close(blockA)
	for range 3 {
		recv(t, aLater, "A's queued tasks")
	}
	drain(t, s)
	checkIdle(t, s)
}

// A key waiting in line for a slot must not keep a slot busy: with two
// slots taken by stuck keys A and B, C runs as soon as B is released,
// while A is still stuck.
func TestWaitingKeyHoldsNoSlot(t *testing.T) {
	s := New(Config[string]{Workers: 2})
	blockA, blockB := make(chan struct{}), make(chan struct{})
	started := make(chan string, 3)
	submit := func(key string, block chan struct{}) {
		t.Helper()
		if err := s.TrySubmit(key, func(context.Context) {
			started <- key
			if block != nil {
				<-block
			}
		}); err != nil {
			t.Fatal(err)
		}
	}
	submit("A", blockA)
	submit("B", blockB)
	recv(t, started, "A or B")
	recv(t, started, "A or B")
	submit("C", nil)
	notYet(t, started, "C while both slots are taken")
	close(blockB)
	if got := recv(t, started, "C after B was released"); got != "C" {
		t.Fatalf("%s started, want C", got)
	}
	close(blockA)
	drain(t, s)
	checkIdle(t, s)
}

// Keys waiting for a slot are served in arrival order, and a key with
// more tasks goes back in line behind the waiting keys.
func TestFairTurns(t *testing.T) {
	s := New(Config[string]{Workers: 1})
	gate, gateStarted := make(chan struct{}), make(chan struct{})
	if err := s.TrySubmit("gate", func(context.Context) { close(gateStarted); <-gate }); err != nil {
		t.Fatal(err)
	}
	recv(t, gateStarted, "the gate task")
	var order []string // one worker: tasks run one at a time
	for _, name := range []string{"A1", "A2", "A3", "B1", "C1", "B2"} {
		if err := s.TrySubmit(name[:1], func(context.Context) { order = append(order, name) }); err != nil {
			t.Fatal(err)
		}
	}
	close(gate)
	drain(t, s)
	want := []string{"A1", "B1", "C1", "A2", "B2", "A3"}
	if !slices.Equal(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
	checkIdle(t, s)
}

func TestBaseContextReachesTasks(t *testing.T) {
	type ctxKey struct{}
	base, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "v"))
	s := New(Config[int]{BaseContext: base})
	got := make(chan context.Context, 1)
	if err := s.TrySubmit(1, func(ctx context.Context) { got <- ctx }); err != nil {
		t.Fatal(err)
	}
	ctx := recv(t, got, "the task")
	if ctx.Value(ctxKey{}) != "v" {
		t.Error("task context does not derive from BaseContext")
	}
	cancel()
	recv(t, ctx.Done(), "the task context to follow BaseContext")
	// The scheduler still works: cancelling the base is not Close.
	if err := s.TrySubmit(1, noop); err != nil {
		t.Fatal(err)
	}
	drain(t, s)
}

func TestConfigValidation(t *testing.T) {
	for _, cfg := range []Config[int]{{Workers: -1}, {MaxQueued: -1}, {MaxPerKey: -1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%+v) did not panic", cfg)
				}
			}()
			New(cfg)
		}()
	}
	s := New(Config[int]{})
	if s.workers != DefaultWorkers || s.maxQueued != DefaultMaxQueued || s.maxPerKey != 0 {
		t.Errorf("defaults: workers %d, maxQueued %d, maxPerKey %d", s.workers, s.maxQueued, s.maxPerKey)
	}
	defer func() {
		if recover() == nil {
			t.Error("Submit of a nil task did not panic")
		}
	}()
	_ = s.TrySubmit(1, nil)
}
