package sched

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// patience bounds every wait in the tests: a bug shows up as a clear
// failure after this long, never as a hung test binary.
const patience = 10 * time.Second

// recv waits for a value on ch, failing the test after patience.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(patience):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// notYet fails if ch has a value now.
func notYet[T any](t *testing.T, ch <-chan T, what string) {
	t.Helper()
	select {
	case <-ch:
		t.Fatalf("%s happened too early", what)
	default:
	}
}

// eventually polls cond (a bounded number of times, yielding between
// tries) for states that have no channel to wait on, such as a Submit
// call parked inside the scheduler.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
		time.Sleep(100 * time.Microsecond)
	}
}

// drain closes s gracefully, failing the test if it takes longer than patience.
func drain[K comparable](t *testing.T, s *Scheduler[K]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatalf("Close: %v (stats %+v)", err, s.Stats())
	}
}

// checkIdle checks the counters of a drained scheduler.
func checkIdle[K comparable](t *testing.T, s *Scheduler[K]) Stats {
	t.Helper()
	st := s.Stats()
	if st.Queued != 0 || st.Running != 0 || st.Keys != 0 || st.Waiting != 0 {
		t.Errorf("not idle: %+v", st)
	}
	if st.Submitted != st.Completed+st.Dropped {
		t.Errorf("submitted %d != completed %d + dropped %d", st.Submitted, st.Completed, st.Dropped)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.keys) != 0 || s.pending != 0 || s.running != 0 || !s.ready.empty() {
		t.Errorf("internal state not idle: keys=%d pending=%d running=%d", len(s.keys), s.pending, s.running)
	}
	return st
}

func noop(context.Context) {}
