package broadcast_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/broadcast"
	"github.com/heraldbot/herald/limit"
)

var errKilled = errors.New("process killed")

// killSwitch models kill -9 of the runner's process: from the moment it
// is thrown, nothing more reaches the database or the network (writes to
// connections and dials fail), and what was already written stays.
type killSwitch struct{ dead atomic.Bool }

// httpClient returns a client whose connections, to e's emulator, the
// switch cuts.
func (k *killSwitch) httpClient(t *testing.T, e *env) *http.Client {
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if k.dead.Load() {
			return nil, errKilled
		}
		c, err := e.net.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return killConn{c, k}, nil
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

type killConn struct {
	net.Conn
	k *killSwitch
}

func (c killConn) Write(p []byte) (int, error) {
	if c.k.dead.Load() {
		c.Conn.Close()
		return 0, errKilled
	}
	return c.Conn.Write(p)
}

// crashStore throws the kill switch during the n-th Finish: that result,
// and every write after it, is lost.
type crashStore struct {
	broadcast.Store
	k        *killSwitch
	n        atomic.Int64
	finishes atomic.Int64
}

func (s *crashStore) Begin(ctx context.Context, id, chat int64, now time.Time) error {
	if s.k.dead.Load() {
		return errKilled
	}
	return s.Store.Begin(ctx, id, chat, now)
}

func (s *crashStore) Finish(ctx context.Context, id int64, r broadcast.Recipient, now time.Time) error {
	if s.finishes.Add(1) == s.n.Load() {
		s.k.dead.Store(true)
	}
	if s.k.dead.Load() {
		return errKilled
	}
	return s.Store.Finish(ctx, id, r, now)
}

func (s *crashStore) Lease(ctx context.Context, id int64, expect, owner string, until, now time.Time) (broadcast.Lease, bool, error) {
	if s.k.dead.Load() {
		return broadcast.Lease{}, false, errKilled
	}
	return s.Store.Lease(ctx, id, expect, owner, until, now)
}

// The runner dies (kill -9, modelled by killSwitch) right after a message
// was delivered and before its result was written, with other sends
// waiting in the limiter. A new runner resumes from the SQLite file:
// every recipient has exactly one message; the one whose result was lost
// is reported Skipped (in doubt), the others Sent.
func TestCrashAndResume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herald.db"), sqlite.Options{SweepInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		e := newEnv(t, limit.Config{}, nil, nil)
		const n = 120
		chats := e.users(1, n)
		k := &killSwitch{}
		store := &crashStore{Store: db.Broadcasts(), k: k}
		store.n.Store(45)
		c := newCampaign(t, store, broadcast.Message{Text: "flash sale", ParseMode: "HTML"}, chats)
		opts := broadcast.Options{Concurrency: 8, LeaseTTL: 5 * time.Second}

		r := e.runWith(ctx, e.client(k.httpClient(t, e)), store, c.ID, opts)
		r.wait()
		if !errors.Is(r.err, errKilled) {
			t.Fatalf("first run: %v, want the kill", r.err)
		}
		p, _ := db.Broadcasts().Progress(ctx, c.ID)
		if p.Sent != 44 || p.Sending != 1 || p.Pending != n-45 {
			t.Fatalf("after the kill: %+v; want 44 sent, 1 in doubt, the rest pending", p)
		}

		// A new process, after the dead runner's lease expired.
		time.Sleep(opts.LeaseTTL + time.Second)
		r = e.run(ctx, db.Broadcasts(), c.ID, opts)
		r.wait()
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.p.Sent != n-1 || r.p.Skipped != 1 || r.p.Remaining() != 0 {
			t.Fatalf("after resuming: %+v; want %d sent, 1 skipped", r.p, n-1)
		}
		skipped, _ := db.Broadcasts().Recipients(ctx, c.ID, broadcast.Skipped, 0, 10)
		if len(skipped) != 1 || !strings.Contains(skipped[0].Error, "in doubt") {
			t.Fatalf("skipped: %+v", skipped)
		}
		for _, id := range chats {
			if got := e.botMessages(id); got != 1 {
				t.Fatalf("chat %d has %d messages, want exactly 1", id, got)
			}
		}
		if st, _ := e.emu.Stats(token); st.TooManyRequests != 0 {
			t.Fatalf("%d 429s", st.TooManyRequests)
		}
	})
}

// dropOnce answers the first request for chat with a dropped connection:
// after the emulator executed it (deliver) or without passing it on.
func dropOnce(chat string, deliver bool) func(http.Handler) http.Handler {
	var done atomic.Bool
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if !strings.Contains(string(body), `"chat_id":`+chat+`,`) || done.Swap(true) {
				next.ServeHTTP(w, r)
				return
			}
			if deliver {
				next.ServeHTTP(discard{}, r)
			}
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		})
	}
}

type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) WriteHeader(int)             {}

// A request that left without an answer is in doubt. By default it is not
// sent again (at most once): here Telegram had posted it, so the user has
// one message and the recipient is Skipped. With ResendInDoubt it is sent
// again (at least once): here Telegram had not posted it, so the user
// still gets exactly one.
func TestInDoubtPolicy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		deliver bool
		resend  bool
		want    broadcast.Status
	}{
		{"AtMostOnce", true, false, broadcast.Skipped},
		{"ResendInDoubt", false, true, broadcast.Sent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, limit.Config{}, nil, dropOnce("13", tc.deliver))
				chats := e.users(1, 20)
				store := memory.NewBroadcasts()
				c := newCampaign(t, store, broadcast.Message{Text: "hi"}, chats)
				r := e.run(t.Context(), store, c.ID, broadcast.Options{Concurrency: 4, ResendInDoubt: tc.resend})
				r.wait()
				if r.err != nil {
					t.Fatal(r.err)
				}
				rs, _ := store.Recipients(context.Background(), c.ID, tc.want, 0, 100)
				var got *broadcast.Recipient
				for i := range rs {
					if rs[i].Chat == 13 {
						got = &rs[i]
					}
				}
				if got == nil || got.Attempts != 1+btoi(tc.resend) || tc.want == broadcast.Skipped && !strings.Contains(got.Error, "in doubt") {
					t.Fatalf("chat 13 is not %s in doubt after the dropped request: %+v", tc.want, got)
				}
				for _, id := range chats {
					if n := e.botMessages(id); n != 1 {
						t.Fatalf("chat %d has %d messages, want 1", id, n)
					}
				}
			})
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Ending the context (Ctrl-C in the command) stops the run cleanly: no
// recipient is left in doubt, and running again completes the campaign
// with one message each.
func TestStopAndResume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, limit.Config{}, nil, nil)
		chats := e.users(1, 60)
		store := memory.NewBroadcasts()
		c := newCampaign(t, store, broadcast.Message{Text: "hi"}, chats)
		ctx, cancel := context.WithCancel(t.Context())
		r := e.run(ctx, store, c.ID, broadcast.Options{Concurrency: 8, OnProgress: func(p broadcast.Progress) {
			if p.Sent == 25 {
				cancel()
			}
		}})
		r.wait()
		if !errors.Is(r.err, context.Canceled) || r.p.Sent < 25 || r.p.Sent > 33 || r.p.Sending != 0 {
			t.Fatalf("stopped run: %+v %v", r.p, r.err)
		}
		if p, _ := store.Progress(context.Background(), c.ID); p.Sending != 0 || p.Sent != r.p.Sent {
			t.Fatalf("store after the stop: %+v", p)
		}
		r = e.run(t.Context(), store, c.ID, broadcast.Options{Concurrency: 8})
		r.wait()
		if r.err != nil || r.p.Sent != 60 || r.p.Skipped != 0 {
			t.Fatalf("resumed: %+v %v", r.p, r.err)
		}
		for _, id := range chats {
			if n := e.botMessages(id); n != 1 {
				t.Fatalf("chat %d has %d messages", id, n)
			}
		}
	})
}

// failChats answers sends to the chats in fail with 502 Bad Gateway, the
// first times[chat] times (forever when times[chat] is 0), without passing
// them to the emulator; it counts the requests per chat.
type failChats struct {
	mu    sync.Mutex
	times map[int64]int
	seen  map[int64]int
}

func (f *failChats) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		f.mu.Lock()
		fail := false
		for chat, n := range f.times {
			if strings.Contains(string(body), fmt.Sprintf(`"chat_id":%d,`, chat)) {
				f.seen[chat]++
				fail = n == 0 || f.seen[chat] <= n
			}
		}
		f.mu.Unlock()
		if !fail {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte(`{"ok":false,"error_code":502,"description":"Bad Gateway"}`))
	})
}

// A 5xx may come after the message was posted, so it is in doubt: by
// default the recipient is Skipped after that one request (at most once).
// With ResendInDoubt it is tried again in later passes: a recipient that
// keeps failing is Failed after MaxAttempts requests, one that recovers is
// Sent with its attempts counted.
func TestServerErrorsAreInDoubt(t *testing.T) {
	for _, resend := range []bool{false, true} {
		t.Run(fmt.Sprintf("ResendInDoubt=%v", resend), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := &failChats{times: map[int64]int{5: 0, 9: 2}, seen: map[int64]int{}}
				e := newEnv(t, limit.Config{}, nil, f.wrap)
				chats := e.users(1, 12)
				store := memory.NewBroadcasts()
				c := newCampaign(t, store, broadcast.Message{Text: "hi"}, chats)
				r := e.run(t.Context(), store, c.ID, broadcast.Options{Concurrency: 4, MaxAttempts: 3, ResendInDoubt: resend})
				r.wait()
				if r.err != nil {
					t.Fatal(r.err)
				}
				want, requests := broadcast.Progress{Total: 12, Sent: 10, Skipped: 2}, 1
				if resend {
					want, requests = broadcast.Progress{Total: 12, Sent: 11, Failed: 1}, 3
				}
				got := r.p
				got.Rate, got.ETA, got.Elapsed = 0, 0, 0
				if got != want {
					t.Fatalf("progress %+v, want %+v", got, want)
				}
				f.mu.Lock()
				defer f.mu.Unlock()
				if f.seen[5] != requests || f.seen[9] != requests {
					t.Fatalf("requests: chat 5 %d, chat 9 %d; want %d each", f.seen[5], f.seen[9], requests)
				}
				if !resend {
					skipped, _ := store.Recipients(context.Background(), c.ID, broadcast.Skipped, 0, 10)
					if len(skipped) != 2 || !strings.Contains(skipped[0].Error, "in doubt") || !strings.Contains(skipped[0].Error, "Bad Gateway") {
						t.Fatalf("skipped: %+v", skipped)
					}
					return
				}
				failed, _ := store.Recipients(context.Background(), c.ID, broadcast.Failed, 0, 10)
				if len(failed) != 1 || failed[0].Chat != 5 || failed[0].Attempts != 3 || !strings.Contains(failed[0].Error, "Bad Gateway") {
					t.Fatalf("failed: %+v", failed)
				}
				sent, _ := store.Recipients(context.Background(), c.ID, broadcast.Sent, 8, 1)
				if len(sent) != 1 || sent[0].Chat != 9 || sent[0].Attempts != 3 || sent[0].Error != "" {
					t.Fatalf("chat 9: %+v", sent)
				}
				if n := e.botMessages(9); n != 1 {
					t.Fatalf("chat 9 has %d messages", n)
				}
			})
		})
	}
}
