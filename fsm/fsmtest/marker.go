package fsmtest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/fsm"
)

// TestMarker runs the contract tests of fsm.Marker as subtests, each on a
// Marker returned by newMarker. Pass at most one Options.
func TestMarker(t *testing.T, newMarker func(t *testing.T) fsm.Marker, opts ...Options) {
	runSuite(t, newMarker, opts, []subtest[fsm.Marker]{
		{"ExactlyOneOfConcurrent", testMarkConcurrent},
		{"MarkUnmark", testMarkUnmark},
		{"NamesIndependent", testMarkNames},
		{"TTL", testMarkTTL},
		{"Marked", testMarked},
	})
}

func mark(t *testing.T, m fsm.Marker, name string, ttl time.Duration, want bool) {
	t.Helper()
	got, err := m.Mark(testContext(t), name, ttl)
	if err != nil {
		t.Fatalf("Mark(%q): %v", name, err)
	}
	if got != want {
		t.Fatalf("Mark(%q) = %v, want %v", name, got, want)
	}
}

func testMarkConcurrent(t *testing.T, m fsm.Marker, _ Options) {
	ctx := testContext(t)
	name := uniqueName("once")
	const n = 50
	var (
		wg    sync.WaitGroup
		won   atomic.Int32
		start = make(chan struct{})
	)
	for range n {
		wg.Go(func() {
			<-start
			ok, err := m.Mark(ctx, name, time.Minute)
			if err != nil {
				t.Errorf("Mark: %v", err)
			}
			if ok {
				won.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d of %d concurrent Mark calls got true, want exactly 1", won.Load(), n)
	}
}

func testMarkUnmark(t *testing.T, m fsm.Marker, _ Options) {
	name := uniqueName("unmark")
	if err := m.Unmark(testContext(t), name); err != nil {
		t.Fatalf("Unmark of a name never marked: %v", err)
	}
	mark(t, m, name, time.Minute, true)
	mark(t, m, name, time.Minute, false)
	if err := m.Unmark(testContext(t), name); err != nil {
		t.Fatalf("Unmark: %v", err)
	}
	mark(t, m, name, time.Minute, true)
	mark(t, m, name, time.Minute, false)
}

func testMarkNames(t *testing.T, m fsm.Marker, _ Options) {
	a, b := uniqueName("a"), uniqueName("b")
	mark(t, m, a, time.Minute, true)
	mark(t, m, b, time.Minute, true)
	mark(t, m, a+"x", time.Minute, true)
	if err := m.Unmark(testContext(t), a); err != nil {
		t.Fatal(err)
	}
	mark(t, m, b, time.Minute, false)
}

// testMarkTTL: a mark with a TTL of 1 s can be marked again after 1.5 s;
// a longer one cannot, and an expired mark does not come back.
func testMarkTTL(t *testing.T, m fsm.Marker, o Options) {
	short, long := uniqueName("short"), uniqueName("long")
	mark(t, m, short, time.Second, true)
	mark(t, m, long, time.Minute, true)
	o.Sleep(500 * time.Millisecond)
	mark(t, m, short, time.Second, false) // does not extend the mark
	o.Sleep(time.Second)
	mark(t, m, short, time.Second, true)
	mark(t, m, short, time.Second, false)
	mark(t, m, long, time.Minute, false)
}

func testMarked(t *testing.T, m fsm.Marker, o Options) {
	mc, ok := m.(fsm.MarkedChecker)
	if !ok {
		t.Skip("the Marker has no Marked method (optional)")
	}
	ctx := testContext(t)
	name := uniqueName("looked-at")
	check := func(want bool) {
		t.Helper()
		got, err := mc.Marked(ctx, name)
		if err != nil || got != want {
			t.Fatalf("Marked(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	check(false)
	check(false) // looking does not mark
	mark(t, m, name, time.Second, true)
	check(true)
	o.Sleep(1500 * time.Millisecond)
	check(false) // expired
	mark(t, m, name, 0, true)
	if err := m.Unmark(ctx, name); err != nil {
		t.Fatal(err)
	}
	check(false)
}
