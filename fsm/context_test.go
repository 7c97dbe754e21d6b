package fsm_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/fsm"
)

// spy wraps a backend.State and counts its calls; conflicts > 0 makes that many
// CompareAndSet calls fail with ErrConflict first.
type spy struct {
	backend.State
	gets, sets atomic.Int32
	conflicts  atomic.Int32
	getErr     error
}

func (s *spy) Get(ctx context.Context, k fsm.Key) (fsm.Record, error) {
	s.gets.Add(1)
	if s.getErr != nil {
		return fsm.Record{}, s.getErr
	}
	return s.State.Get(ctx, k)
}

func (s *spy) CompareAndSet(ctx context.Context, k fsm.Key, expect int64, rec fsm.Record, ttl time.Duration) (int64, error) {
	s.sets.Add(1)
	if s.conflicts.Add(-1) >= 0 {
		return 0, fsm.ErrConflict
	}
	return s.State.CompareAndSet(ctx, k, expect, rec, ttl)
}

func newSpy(t *testing.T) *spy {
	st := memory.New(memory.Options{})
	t.Cleanup(func() { st.Close() })
	return &spy{State: st}
}

var testKey = fsm.Key{BotID: 1, ChatID: 2, UserID: 3}

type form struct {
	Name string `json:"name"`
	Age  int    `json:"age,omitzero"`
}

func TestReadsAreCached(t *testing.T) {
	ctx := t.Context()
	s := newSpy(t)
	fc := fsm.NewContext(s, testKey, fsm.Options{})
	for range 3 {
		if st, err := fc.State(ctx); err != nil || st != fsm.NoState {
			t.Fatalf("State = %q, %v", st, err)
		}
	}
	if _, err := fsm.GetData[form](ctx, fc); err != nil {
		t.Fatal(err)
	}
	if n := s.gets.Load(); n != 1 {
		t.Fatalf("%d storage reads for 4 reads of one Context, want 1", n)
	}
	// A write needs no read when the cache is fresh, and refreshes it.
	if err := fsm.Set(ctx, fc, "a", form{Name: "x"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := fc.State(ctx); st != "a" {
		t.Fatalf("State after Set = %q", st)
	}
	if d, _ := fsm.GetData[form](ctx, fc); d.Name != "x" {
		t.Fatalf("GetData after Set = %+v", d)
	}
	if n := s.gets.Load(); n != 1 {
		t.Fatalf("%d storage reads, want still 1", n)
	}
	// Update always reads.
	if err := fsm.Update(ctx, fc, func(_ *fsm.State, f *form) error { f.Age = 3; return nil }); err != nil {
		t.Fatal(err)
	}
	if n := s.gets.Load(); n != 2 {
		t.Fatalf("%d storage reads after Update, want 2", n)
	}
}

func TestUpdateSeesOtherWriters(t *testing.T) {
	ctx := t.Context()
	s := newSpy(t)
	a := fsm.NewContext(s, testKey, fsm.Options{})
	b := fsm.NewContext(s, testKey, fsm.Options{})
	if _, err := fsm.GetData[form](ctx, a); err != nil { // a caches "nothing"
		t.Fatal(err)
	}
	if err := fsm.Set(ctx, b, "b", form{Name: "from b"}); err != nil {
		t.Fatal(err)
	}
	if err := fsm.Update(ctx, a, func(st *fsm.State, f *form) error {
		if *st != "b" || f.Name != "from b" {
			t.Errorf("Update saw %q %+v, not b's write", *st, f)
		}
		f.Age = 1
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A stale cache costs a conflict, never a lost write.
	if err := fsm.SetData(ctx, b, form{Name: "b again"}); err != nil {
		t.Fatal(err)
	}
	if st, err := fsm.NewContext(s, testKey, fsm.Options{}).State(ctx); err != nil || st != "b" {
		t.Fatalf("state = %q, %v", st, err)
	}
}

func TestUpdateRetriesThenGivesUp(t *testing.T) {
	ctx := t.Context()
	s := newSpy(t)
	s.conflicts.Store(3)
	calls := 0
	fc := fsm.NewContext(s, testKey, fsm.Options{})
	if err := fsm.Update(ctx, fc, func(_ *fsm.State, f *form) error { calls++; f.Age++; return nil }); err != nil {
		t.Fatalf("Update after 3 conflicts: %v", err)
	}
	if calls != 4 {
		t.Fatalf("fn ran %d times, want 4", calls)
	}
	if d, _ := fsm.GetData[form](ctx, fc); d.Age != 1 {
		t.Fatalf("Age = %d, want 1 (fn works on a fresh read each time)", d.Age)
	}

	s.conflicts.Store(1000)
	s.sets.Store(0)
	fc = fsm.NewContext(s, testKey, fsm.Options{MaxRetries: 2})
	err := fsm.Update(ctx, fc, func(*fsm.State, *form) error { return nil })
	if !errors.Is(err, fsm.ErrConflict) || s.sets.Load() != 3 {
		t.Fatalf("Update with MaxRetries 2 against endless conflicts: %v after %d attempts; want ErrConflict after 3", err, s.sets.Load())
	}
	s.sets.Store(0)
	fc = fsm.NewContext(s, testKey, fsm.Options{MaxRetries: -1})
	if err := fc.SetState(ctx, "x"); !errors.Is(err, fsm.ErrConflict) || s.sets.Load() != 1 {
		t.Fatalf("SetState with MaxRetries -1: %v after %d attempts; want ErrConflict after 1", err, s.sets.Load())
	}
	s.sets.Store(0)
	fc = fsm.NewContext(s, testKey, fsm.Options{})
	start := time.Now()
	if err := fc.SetState(ctx, "x"); !errors.Is(err, fsm.ErrConflict) || s.sets.Load() != fsm.DefaultMaxRetries+1 {
		t.Fatalf("default retries: %v after %d attempts", err, s.sets.Load())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("giving up took %v", d)
	}
}

func TestUpdateStopsWhenContextEnds(t *testing.T) {
	s := newSpy(t)
	s.conflicts.Store(1000)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	err := fsm.Update(ctx, fsm.NewContext(s, testKey, fsm.Options{MaxRetries: 1000}), func(*fsm.State, *form) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Update with an expiring context: %v", err)
	}
}

func TestUpdateFnErrorWritesNothing(t *testing.T) {
	ctx := t.Context()
	s := newSpy(t)
	fc := fsm.NewContext(s, testKey, fsm.Options{})
	boom := errors.New("boom")
	err := fsm.Update(ctx, fc, func(st *fsm.State, f *form) error { *st = "x"; f.Name = "x"; return boom })
	if !errors.Is(err, boom) || s.sets.Load() != 0 {
		t.Fatalf("Update = %v with %d writes; want boom and none", err, s.sets.Load())
	}
}

func TestPatternsCannotBeStored(t *testing.T) {
	ctx := t.Context()
	s := newSpy(t)
	fc := fsm.NewContext(s, testKey, fsm.Options{})
	g := fsm.NewGroup("g")
	for _, p := range []fsm.State{fsm.AnyState, g.Any()} {
		if err := fc.SetState(ctx, p); err == nil {
			t.Errorf("SetState(%q) succeeded", p)
		}
		if err := fsm.Set(ctx, fc, p, form{}); err == nil {
			t.Errorf("Set(%q) succeeded", p)
		}
		if err := fsm.Update(ctx, fc, func(st *fsm.State, _ *form) error { *st = p; return nil }); err == nil {
			t.Errorf("Update to %q succeeded", p)
		}
	}
	if s.sets.Load() != 0 {
		t.Fatalf("%d writes of patterns", s.sets.Load())
	}
}

func TestEncodeAndStorageErrors(t *testing.T) {
	ctx := t.Context()
	s := newSpy(t)
	fc := fsm.NewContext(s, testKey, fsm.Options{})
	if err := fsm.Set(ctx, fc, "a", make(chan int)); err == nil || !strings.Contains(err.Error(), "encode") {
		t.Fatalf("Set of a channel: %v", err)
	}
	down := errors.New("backend down")
	s.getErr = down
	fc = fsm.NewContext(s, testKey, fsm.Options{})
	if _, err := fc.State(ctx); !errors.Is(err, down) || !strings.Contains(err.Error(), testKey.String()) {
		t.Fatalf("State with a failing storage: %v", err)
	}
	if err := fsm.Update(ctx, fc, func(*fsm.State, *form) error { return nil }); !errors.Is(err, down) {
		t.Fatalf("Update with a failing storage: %v", err)
	}
}

// panicky panics when decoded: a broken custom unmarshaler must become an
// ErrCorrupt error, not a crash.
type panicky struct{}

func (*panicky) UnmarshalJSON([]byte) error { panic("broken unmarshaler") }

func TestDecodePanicIsCorrupt(t *testing.T) {
	ctx := t.Context()
	s := newSpy(t)
	if _, err := s.CompareAndSet(ctx, testKey, 0, fsm.Record{Data: []byte(`{}`)}, 0); err != nil {
		t.Fatal(err)
	}
	_, err := fsm.GetData[panicky](ctx, fsm.NewContext(s, testKey, fsm.Options{}))
	if !errors.Is(err, fsm.ErrCorrupt) {
		t.Fatalf("GetData with a panicking unmarshaler: %v", err)
	}
}

func TestTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		st := memory.New(memory.Options{SweepInterval: -1})
		defer st.Close()
		fc := fsm.NewContext(st, testKey, fsm.Options{TTL: time.Hour})
		if err := fsm.Set(ctx, fc, "a", form{Name: "x"}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(59 * time.Minute)
		if err := fc.SetState(ctx, "b"); err != nil { // restarts the TTL
			t.Fatal(err)
		}
		time.Sleep(59 * time.Minute)
		fresh := fsm.NewContext(st, testKey, fsm.Options{})
		if d, err := fsm.GetData[form](ctx, fresh); err != nil || d.Name != "x" {
			t.Fatalf("data expired although written 59 min ago: %+v, %v", d, err)
		}
		time.Sleep(2 * time.Minute)
		fresh = fsm.NewContext(st, testKey, fsm.Options{})
		if s, err := fresh.State(ctx); err != nil || s != fsm.NoState {
			t.Fatalf("state after its TTL = %q, %v", s, err)
		}
		if d, err := fsm.GetData[form](ctx, fresh); err != nil || d != (form{}) {
			t.Fatalf("data after its TTL = %+v, %v", d, err)
		}
	})
}
