package sqlite

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/backend"
)

var key1 = backend.Key{BotID: 1, ChatID: -100200, UserID: 42, ThreadID: 7}

func mustCAS(t *testing.T, s backend.State, k backend.Key, expect int64, rec backend.Record, ttl time.Duration) int64 {
	t.Helper()
	v, err := s.CompareAndSet(context.Background(), k, expect, rec, ttl)
	if err != nil {
		t.Fatalf("CompareAndSet(%v, %d): %v", k, expect, err)
	}
	if v != expect+1 {
		t.Fatalf("CompareAndSet(%v, %d) = %d, want %d", k, expect, v, expect+1)
	}
	return v
}

func mustGet(t *testing.T, s backend.State, k backend.Key) backend.Record {
	t.Helper()
	rec, err := s.Get(context.Background(), k)
	if err != nil {
		t.Fatalf("Get(%v): %v", k, err)
	}
	return rec
}

func TestCompareAndSet(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustCAS(t, s, key1, 0, backend.Record{State: "form:name", Data: []byte(`{"a":1}`)}, 0)
	rec := mustGet(t, s, key1)
	if rec.State != "form:name" || string(rec.Data) != `{"a":1}` || rec.Version != 1 {
		t.Fatalf("Get = %+v", rec)
	}
	mustCAS(t, s, key1, 1, backend.Record{State: "form:age", Data: []byte(`{"a":2}`)}, 0)

	for _, stale := range []int64{0, 1, 3} {
		_, err := s.CompareAndSet(ctx, key1, stale, backend.Record{State: "lost"}, 0)
		if !errors.Is(err, backend.ErrConflict) {
			t.Fatalf("CompareAndSet(expect %d) on version 2: err = %v, want ErrConflict", stale, err)
		}
	}
	rec = mustGet(t, s, key1)
	if rec.State != "form:age" || string(rec.Data) != `{"a":2}` || rec.Version != 2 {
		t.Fatalf("after conflicts Get = %+v, want version 2 unchanged", rec)
	}
	if _, err := s.CompareAndSet(ctx, key1, -1, backend.Record{}, 0); err == nil {
		t.Fatal("negative expect accepted")
	}
	if _, err := s.CompareAndSet(ctx, key1, 2, backend.Record{}, -time.Second); err == nil {
		t.Fatal("negative ttl accepted")
	}
}

func TestDataRoundTrip(t *testing.T) {
	s := newStore(t)
	cases := []struct {
		name string
		data []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"json", []byte(`{"name":"Ann","n":[1,2]}`)},
		{"binary", []byte{0, 1, 2, 0xff}},
	}
	for i, c := range cases {
		k := backend.Key{ChatID: int64(i)}
		mustCAS(t, s, k, 0, backend.Record{Data: c.data}, 0)
		got := mustGet(t, s, k).Data
		if (got == nil) != (c.data == nil) || !bytes.Equal(got, c.data) {
			t.Errorf("%s: Data = %#v, want %#v", c.name, got, c.data)
		}
	}
}

func TestTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t)
		mustCAS(t, s, key1, 0, backend.Record{State: "a"}, time.Minute)
		time.Sleep(time.Minute - time.Nanosecond)
		if rec := mustGet(t, s, key1); rec.Version != 1 {
			t.Fatalf("before expiry Get = %+v", rec)
		}
		// A write renews the TTL.
		mustCAS(t, s, key1, 1, backend.Record{State: "b"}, time.Minute)
		time.Sleep(time.Minute - time.Nanosecond)
		if rec := mustGet(t, s, key1); rec.Version != 2 {
			t.Fatalf("renewed record expired early: %+v", rec)
		}
		time.Sleep(time.Nanosecond)
		if rec := mustGet(t, s, key1); rec.Version != 0 {
			t.Fatalf("expired record visible: %+v", rec)
		}
		// Expired counts as absent: the old version conflicts, 0 creates.
		if _, err := s.CompareAndSet(ctx, key1, 2, backend.Record{}, 0); !errors.Is(err, backend.ErrConflict) {
			t.Fatalf("CAS on an expired record with its version: %v, want ErrConflict", err)
		}
		mustCAS(t, s, key1, 0, backend.Record{State: "c"}, 0)
		// ttl 0: never expires, even over an expired TTL'd predecessor.
		time.Sleep(1000 * time.Hour)
		if rec := mustGet(t, s, key1); rec.State != "c" || rec.Version != 1 {
			t.Fatalf("record without ttl: %+v", rec)
		}
	})
}

func TestTTLRealClock(t *testing.T) {
	s := newStore(t)
	mustCAS(t, s, key1, 0, backend.Record{State: "a"}, 30*time.Millisecond)
	time.Sleep(60 * time.Millisecond)
	if rec := mustGet(t, s, key1); rec.Version != 0 {
		t.Fatalf("expired record visible: %+v", rec)
	}
}

// TestCorruptDataReturnedAsIs: the storage does not interpret Data.
func TestCorruptDataReturnedAsIs(t *testing.T) {
	s := newStore(t)
	if _, err := s.w.Exec(`INSERT INTO fsm_records (key, state, data, version) VALUES (?, 'x', ?, 5)`,
		key1.String(), []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	rec := mustGet(t, s, key1)
	if string(rec.Data) != "{not json" || rec.Version != 5 || rec.State != "x" {
		t.Fatalf("Get = %+v", rec)
	}
	mustCAS(t, s, key1, 5, backend.Record{State: "reset"}, 0) // can be reset
}

func TestCanceledContext(t *testing.T) {
	s := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Get(ctx, key1); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a cancelled context: %v", err)
	}
	if _, err := s.CompareAndSet(ctx, key1, 0, backend.Record{}, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("CompareAndSet with a cancelled context: %v", err)
	}
}
