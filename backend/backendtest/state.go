package backendtest

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/internal/testkit"
)

// TestStorage runs the contract tests of backend.State as subtests, each on
// a Storage returned by newStorage. Pass at most one Options.
func TestState(t *testing.T, newStorage func(t *testing.T) backend.State, opts ...Options) {
	runSuite(t, newStorage, opts, []subtest[backend.State]{
		{"GetMissing", testGetMissing},
		{"CreateThenConflict", testCreateThenConflict},
		{"VersionsIncreaseByOne", testVersionsIncrease},
		{"DeleteThenCreate", testDeleteThenCreate},
		{"EmptyRecord", testEmptyRecord},
		{"KeysIsolated", testKeysIsolated},
		{"LargeData", testLargeData},
		{"TTL", testTTL},
		{"ConcurrentCreate", testConcurrentCreate},
		{"LostUpdate", testLostUpdate},
		{"CorruptData", testCorruptData},
		{"Context", testContextRoundTrip},
	})
}

func mustGet(t *testing.T, s backend.State, key fsm.Key) fsm.Record {
	t.Helper()
	rec, err := s.Get(testkit.Context(t), key)
	if err != nil {
		t.Fatalf("Get(%s): %v", key, err)
	}
	return rec
}

func mustCAS(t *testing.T, s backend.State, key fsm.Key, expect int64, rec fsm.Record, ttl time.Duration) int64 {
	t.Helper()
	v, err := s.CompareAndSet(testkit.Context(t), key, expect, rec, ttl)
	if err != nil {
		t.Fatalf("CompareAndSet(%s, expect %d): %v", key, expect, err)
	}
	if v != expect+1 {
		t.Fatalf("CompareAndSet(%s, expect %d) = version %d, want %d", key, expect, v, expect+1)
	}
	return v
}

func wantConflict(t *testing.T, s backend.State, key fsm.Key, expect int64, rec fsm.Record) {
	t.Helper()
	v, err := s.CompareAndSet(testkit.Context(t), key, expect, rec, 0)
	if !errors.Is(err, fsm.ErrConflict) {
		t.Fatalf("CompareAndSet(%s, expect %d) = %d, %v; want fsm.ErrConflict", key, expect, v, err)
	}
}

func wantRecord(t *testing.T, s backend.State, key fsm.Key, want fsm.Record) {
	t.Helper()
	got := mustGet(t, s, key)
	if got.Version != want.Version || got.State != want.State || !bytes.Equal(got.Data, want.Data) {
		t.Fatalf("Get(%s) = {State %q, Data %.80q, Version %d}, want {State %q, Data %.80q, Version %d}",
			key, got.State, got.Data, got.Version, want.State, want.Data, want.Version)
	}
}

func testGetMissing(t *testing.T, s backend.State, _ Options) {
	wantRecord(t, s, uniqueKey(), fsm.Record{})
}

func testCreateThenConflict(t *testing.T, s backend.State, _ Options) {
	key := uniqueKey()
	rec := fsm.Record{State: "order:address", Data: []byte(`{"item":"tea","qty":2}`)}
	mustCAS(t, s, key, 0, rec, 0)
	wantRecord(t, s, key, fsm.Record{State: rec.State, Data: rec.Data, Version: 1})

	other := fsm.Record{State: "order:confirm", Data: []byte(`{}`)}
	wantConflict(t, s, key, 0, other) // a second create
	wantConflict(t, s, key, 2, other) // a version from the future
	wantRecord(t, s, key, fsm.Record{State: rec.State, Data: rec.Data, Version: 1})

	missing := uniqueKey()
	wantConflict(t, s, missing, 1, other) // an update of a key that does not exist
	wantRecord(t, s, missing, fsm.Record{})
}

func testVersionsIncrease(t *testing.T, s backend.State, _ Options) {
	key := uniqueKey()
	var v int64
	for i := range 5 {
		rec := fsm.Record{State: "s", Data: []byte{'0' + byte(i)}}
		v = mustCAS(t, s, key, v, rec, 0)
		wantRecord(t, s, key, fsm.Record{State: "s", Data: rec.Data, Version: int64(i + 1)})
		if v > 1 {
			wantConflict(t, s, key, v-1, fsm.Record{State: "stale"})
		}
	}
}

func testDeleteThenCreate(t *testing.T, s backend.State, _ Options) {
	ctx := testkit.Context(t)
	key := uniqueKey()
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
	v := mustCAS(t, s, key, 0, fsm.Record{State: "a", Data: []byte(`1`)}, 0)
	mustCAS(t, s, key, v, fsm.Record{State: "b", Data: []byte(`2`)}, 0)
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantRecord(t, s, key, fsm.Record{})
	wantConflict(t, s, key, 2, fsm.Record{State: "stale"})
	mustCAS(t, s, key, 0, fsm.Record{State: "c", Data: []byte(`3`)}, 0)
	wantRecord(t, s, key, fsm.Record{State: "c", Data: []byte(`3`), Version: 1})
}

// testEmptyRecord stores a record without state and data: it exists (a
// version), and reads back empty (nil or empty Data both pass).
func testEmptyRecord(t *testing.T, s backend.State, _ Options) {
	key := uniqueKey()
	mustCAS(t, s, key, 0, fsm.Record{}, 0)
	wantRecord(t, s, key, fsm.Record{Version: 1})
	mustCAS(t, s, key, 1, fsm.Record{State: "only:state"}, 0)
	wantRecord(t, s, key, fsm.Record{State: "only:state", Version: 2})
}

func testKeysIsolated(t *testing.T, s backend.State, _ Options) {
	ctx := testkit.Context(t)
	base := uniqueKey()
	base.ThreadID = 7
	variants := []fsm.Key{base}
	for i := range 5 {
		k := base
		switch i {
		case 0:
			k.BotID++
		case 1:
			k.ChatID = -k.ChatID // the same digits, a user's private chat
		case 2:
			k.UserID++
		case 3:
			k.ThreadID = 0
		case 4:
			// The same chat and user through a business connection.
			k.BusinessConnectionID = "biz:conn/1"
		}
		variants = append(variants, k)
	}
	// The keys every strategy makes of one message must not collide
	// either (UserInChat's equals the ThreadID 0 variant above).
	seen := map[fsm.Key]bool{}
	for _, k := range variants {
		seen[k] = true
	}
	for _, st := range []fsm.KeyStrategy{fsm.UserInChat, fsm.Chat, fsm.GlobalUser, fsm.UserInTopic, fsm.ChatTopic} {
		k, ok := st.Key(base.BotID, base.ChatID, base.UserID, base.ThreadID)
		if !ok {
			t.Fatalf("%v.Key: ok = false", st)
		}
		if !seen[k] {
			seen[k] = true
			variants = append(variants, k)
		}
	}
	mustCAS(t, s, base, 0, fsm.Record{State: "base"}, 0)
	for _, k := range variants[1:] {
		wantRecord(t, s, k, fsm.Record{})
	}
	for i, k := range variants[1:] {
		mustCAS(t, s, k, 0, fsm.Record{State: k.String(), Data: []byte{'0' + byte(i)}}, 0)
	}
	wantRecord(t, s, base, fsm.Record{State: "base", Version: 1})
	if err := s.Delete(ctx, base); err != nil {
		t.Fatal(err)
	}
	for i, k := range variants[1:] {
		wantRecord(t, s, k, fsm.Record{State: k.String(), Data: []byte{'0' + byte(i)}, Version: 1})
	}
}

func testLargeData(t *testing.T, s backend.State, _ Options) {
	key := uniqueKey()
	var b strings.Builder
	b.WriteString(`{"text":"`)
	for i := 0; b.Len() < 64<<10-2; i++ {
		b.WriteByte("abcdefghijklmnopqrstuvwxyz0123456789"[i%36])
	}
	b.WriteString(`"}`)
	data := []byte(b.String())
	mustCAS(t, s, key, 0, fsm.Record{State: "big", Data: data}, 0)
	wantRecord(t, s, key, fsm.Record{State: "big", Data: data, Version: 1})
	mustCAS(t, s, key, 1, fsm.Record{State: "small", Data: []byte(`{}`)}, 0)
	wantRecord(t, s, key, fsm.Record{State: "small", Data: []byte(`{}`), Version: 2})
}

// testTTL checks, on one timeline with a TTL of 1 s: expiry, that a write
// starts the TTL again, that a write without TTL removes it, and that an
// expired key counts as missing for CompareAndSet.
func testTTL(t *testing.T, s backend.State, o Options) {
	const ttl = time.Second
	rec := fsm.Record{State: "s", Data: []byte(`{"n":1}`)}
	expiring, persisted, rewritten, plain := uniqueKey(), uniqueKey(), uniqueKey(), uniqueKey()

	// t = 0
	mustCAS(t, s, expiring, 0, rec, ttl)
	mustCAS(t, s, persisted, 0, rec, ttl)
	mustCAS(t, s, persisted, 1, rec, 0) // drops the TTL
	mustCAS(t, s, rewritten, 0, rec, ttl)
	mustCAS(t, s, plain, 0, rec, 0)
	wantRecord(t, s, expiring, fsm.Record{State: "s", Data: rec.Data, Version: 1})

	time.Sleep(600 * time.Millisecond) // t = 0.6 s
	// Rewriting starts the TTL again: rewritten now expires at 1.6 s.
	mustCAS(t, s, rewritten, 1, rec, ttl)

	time.Sleep(700 * time.Millisecond) // t = 1.3 s
	if got := mustGet(t, s, expiring); got.Version != 0 {
		t.Fatalf("a record written with a TTL of %v is still there after 1.3 s: version %d", ttl, got.Version)
	}
	wantRecord(t, s, persisted, fsm.Record{State: "s", Data: rec.Data, Version: 2})
	wantRecord(t, s, plain, fsm.Record{State: "s", Data: rec.Data, Version: 1})
	if got := mustGet(t, s, rewritten); got.Version != 2 {
		t.Fatalf("a write at 0.6 s did not extend the TTL: at 1.3 s the record has version %d, want 2", got.Version)
	}
	wantConflict(t, s, expiring, 1, rec) // expired: only a create works
	mustCAS(t, s, expiring, 0, rec, 0)

	time.Sleep(700 * time.Millisecond) // t = 2.0 s
	if got := mustGet(t, s, rewritten); got.Version != 0 {
		t.Fatalf("a record rewritten with a TTL of %v at 0.6 s is still there at 2 s: version %d", ttl, got.Version)
	}
	wantRecord(t, s, expiring, fsm.Record{State: "s", Data: rec.Data, Version: 1})
}

// testConcurrentCreate: of 50 simultaneous creates, exactly one wins.
func testConcurrentCreate(t *testing.T, s backend.State, _ Options) {
	ctx := testkit.Context(t)
	key := uniqueKey()
	const n = 50
	var (
		wg         sync.WaitGroup
		won, lost  atomic.Int32
		start      = make(chan struct{})
		errs       = make(chan error, n)
		winnerData atomic.Value
	)
	for i := range n {
		wg.Go(func() {
			<-start
			data := []byte{'0' + byte(i%10)}
			_, err := s.CompareAndSet(ctx, key, 0, fsm.Record{State: "s", Data: data}, 0)
			switch {
			case err == nil:
				won.Add(1)
				winnerData.Store(data)
			case errors.Is(err, fsm.ErrConflict):
				lost.Add(1)
			default:
				errs <- err
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("CompareAndSet: %v", err)
	}
	if won.Load() != 1 || lost.Load() != n-1 {
		t.Fatalf("%d concurrent creates: %d won, %d conflicted; want 1 and %d", n, won.Load(), lost.Load(), n-1)
	}
	wantRecord(t, s, key, fsm.Record{State: "s", Data: winnerData.Load().([]byte), Version: 1})
}

type counter struct {
	N int `json:"n"`
}

// testLostUpdate is the acceptance test of issue 5: 50 concurrent
// fsm.Update increments of one key, each through its own fsm.Context with
// the default options (as 50 handlers, maybe on several instances,
// would), end at 50.
func testLostUpdate(t *testing.T, s backend.State, _ Options) {
	ctx := testkit.Context(t)
	key := uniqueKey()
	const n = 50
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			fc := fsm.NewContext(s, key, fsm.Options{})
			<-start
			errs <- fsm.Update(ctx, fc, func(state *fsm.State, c *counter) error {
				*state = "counting"
				c.N++
				return nil
			})
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Update: %v", err)
		}
	}
	fc := fsm.NewContext(s, key, fsm.Options{})
	got, err := fsm.GetData[counter](ctx, fc)
	if err != nil {
		t.Fatal(err)
	}
	if got.N != n {
		t.Fatalf("after %d concurrent increments the counter is %d", n, got.N)
	}
	if rec := mustGet(t, s, key); rec.Version != n || rec.State != "counting" {
		t.Fatalf("after %d writes: state %q, version %d; want %q, %d", n, rec.State, rec.Version, "counting", n)
	}
}

// testCorruptData: data that does not decode gives an error wrapping
// fsm.ErrCorrupt naming the key (never a panic), Update does not call its
// function, and Clear resets the conversation.
func testCorruptData(t *testing.T, s backend.State, _ Options) {
	ctx := testkit.Context(t)
	for _, bad := range []string{`{"n":`, `"a string, not an object"`, `{"n":"not a number"}`} {
		key := uniqueKey()
		mustCAS(t, s, key, 0, fsm.Record{State: "s", Data: []byte(bad)}, 0)
		fc := fsm.NewContext(s, key, fsm.Options{})
		_, err := fsm.GetData[counter](ctx, fc)
		if !errors.Is(err, fsm.ErrCorrupt) {
			t.Fatalf("GetData of %q: %v; want fsm.ErrCorrupt", bad, err)
		}
		if !strings.Contains(err.Error(), key.String()) || !strings.Contains(err.Error(), "Clear") {
			t.Errorf("the error should name the key %s and say how to reset it: %v", key, err)
		}
		called := false
		err = fsm.Update(ctx, fc, func(*fsm.State, *counter) error { called = true; return nil })
		if !errors.Is(err, fsm.ErrCorrupt) || called {
			t.Fatalf("Update of %q: %v, fn called %v; want fsm.ErrCorrupt without calling fn", bad, err, called)
		}
		if st, err := fc.State(ctx); err != nil || st != "s" {
			t.Fatalf("State with corrupt data = %q, %v; want %q, nil", st, err, "s")
		}
		if err := fc.Clear(ctx); err != nil {
			t.Fatal(err)
		}
		if got, err := fsm.GetData[counter](ctx, fc); err != nil || got.N != 0 {
			t.Fatalf("GetData after Clear = %+v, %v", got, err)
		}
		if err := fsm.Update(ctx, fc, func(_ *fsm.State, c *counter) error { c.N = 1; return nil }); err != nil {
			t.Fatalf("Update after Clear: %v", err)
		}
	}
}

// testContextRoundTrip drives the storage through fsm.Context as a
// handler would, with a second Context standing for a second instance.
func testContextRoundTrip(t *testing.T, s backend.State, _ Options) {
	ctx := testkit.Context(t)
	key := uniqueKey()
	group := fsm.NewGroup("order")
	address, confirm := group.State("address"), group.State("confirm")
	type order struct {
		Item    string `json:"item"`
		Address string `json:"address,omitzero"`
	}
	a := fsm.NewContext(s, key, fsm.Options{TTL: time.Hour})
	b := fsm.NewContext(s, key, fsm.Options{TTL: time.Hour})
	if st, err := a.State(ctx); err != nil || st != fsm.NoState {
		t.Fatalf("State of a new conversation = %q, %v", st, err)
	}
	if err := fsm.Set(ctx, a, address, order{Item: "tea"}); err != nil {
		t.Fatal(err)
	}
	if err := b.SetState(ctx, confirm); err != nil { // b's cache is stale: the write must still keep the data
		t.Fatal(err)
	}
	got, err := fsm.GetData[order](ctx, b)
	if err != nil || got.Item != "tea" {
		t.Fatalf("GetData after SetState = %+v, %v; want the data kept", got, err)
	}
	if err := fsm.Update(ctx, a, func(st *fsm.State, o *order) error {
		if *st != confirm {
			t.Errorf("Update saw state %q, want %q (a stale read)", *st, confirm)
		}
		o.Address = "Baker Street 221b"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	c := fsm.NewContext(s, key, fsm.Options{})
	if got, err := fsm.GetData[order](ctx, c); err != nil || got != (order{"tea", "Baker Street 221b"}) {
		t.Fatalf("GetData = %+v, %v", got, err)
	}
	if err := fsm.SetData(ctx, c, order{Item: "coffee"}); err != nil {
		t.Fatal(err)
	}
	if st, err := fsm.NewContext(s, key, fsm.Options{}).State(ctx); err != nil || st != confirm {
		t.Fatalf("State after SetData = %q, %v; want %q", st, err, confirm)
	}
	if err := c.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if rec := mustGet(t, s, key); rec.Version != 0 {
		t.Fatalf("after Clear the record still has version %d", rec.Version)
	}
}
