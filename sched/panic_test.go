package sched

import (
	"context"
	"runtime"
	"strings"
	"testing"
)

func TestPanicRecoveredAndReported(t *testing.T) {
	type report struct {
		key   string
		v     any
		stack string
	}
	reports := make(chan report, 1)
	s := New(Config[string]{
		Workers: 1,
		OnPanic: func(key string, v any, stack []byte) { reports <- report{key, v, string(stack)} },
	})
	var order []int
	tasks := []Task{
		func(context.Context) { order = append(order, 0) },
		func(context.Context) { order = append(order, 1); panic("boom") },
		func(context.Context) { order = append(order, 2) },
	}
	for _, fn := range tasks {
		if err := s.TrySubmit("chat", fn); err != nil {
			t.Fatal(err)
		}
	}
	r := recv(t, reports, "the panic report")
	drain(t, s)
	if r.key != "chat" || r.v != "boom" {
		t.Errorf("reported key %q value %v", r.key, r.v)
	}
	if !strings.Contains(r.stack, "panic_test.go") {
		t.Errorf("stack does not show the panicking task:\n%s", r.stack)
	}
	if len(order) != 3 {
		t.Errorf("ran %v, want the key to continue after the panic", order)
	}
	if st := checkIdle(t, s); st.Panicked != 1 || st.Completed != 3 {
		t.Errorf("stats %+v, want 1 panicked, 3 completed", st)
	}
}

// runtime.Goexit in a task (t.FailNow, say) ends the worker goroutine
// without a panic; the key and the scheduler go on.
func TestGoexitInTask(t *testing.T) {
	s := New(Config[int]{Workers: 1})
	done := make(chan int, 3)
	tasks := []Task{
		func(context.Context) { runtime.Goexit() },
		func(context.Context) { done <- 1 },
	}
	for _, fn := range tasks {
		if err := s.TrySubmit(1, fn); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.TrySubmit(2, func(context.Context) { done <- 2 }); err != nil {
		t.Fatal(err)
	}
	recv(t, done, "tasks after Goexit")
	recv(t, done, "tasks after Goexit")
	drain(t, s)
	if st := checkIdle(t, s); st.Completed != 3 {
		t.Errorf("stats %+v, want 3 completed", st)
	}
}
