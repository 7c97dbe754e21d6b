package broadcast_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/broadcast"
	"github.com/heraldbot/herald/limit"
)

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
				store := broadcast.NewMemoryStore()
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

// Run refuses an unknown campaign, and a campaign whose lease another
// live runner holds; the lease of a killed runner on this host is taken
// over at once.
func TestRunLeaseHolders(t *testing.T) {
	// A process that ended, started outside the bubble.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skipf("cannot start a process: %v", err)
	}
	synctest.Test(t, func(t *testing.T) { testRunLeaseHolders(t, dead.Process.Pid) })
}

func testRunLeaseHolders(t *testing.T, deadPid int) {
	e := newEnv(t, limit.Config{}, nil, nil)
	chats := e.users(1, 3)
	store := broadcast.NewMemoryStore()
	c := newCampaign(t, store, broadcast.Message{Text: "hi"}, chats)
	ctx := t.Context()
	if _, err := broadcast.Run(ctx, e.bot, store, c.ID+1, broadcast.Options{}); !errors.Is(err, broadcast.ErrNotFound) {
		t.Fatalf("unknown campaign: %v", err)
	}

	host, _ := os.Hostname()
	host = strings.ReplaceAll(host, "/", "_")
	now := time.Now()
	for _, holder := range []string{
		"elsewhere/1/abcdefgh",                           // another host: cannot tell
		fmt.Sprintf("%s/%d/abcdefgh", host, os.Getpid()), // this process: alive
		fmt.Sprintf("%s/1/abcdefgh", host),               // init: alive
		"garbage",
	} {
		if _, ok, err := store.Lease(ctx, c.ID, "", holder, now.Add(time.Hour), now); !ok || err != nil {
			t.Fatalf("lease for %s: %v %v", holder, ok, err)
		}
		r := e.run(ctx, store, c.ID, broadcast.Options{})
		<-r.done
		if !errors.Is(r.err, broadcast.ErrBusy) || !strings.Contains(r.err.Error(), holder) {
			t.Fatalf("lease held by %s: %v, want ErrBusy naming it", holder, r.err)
		}
		if _, ok, _ := store.Lease(ctx, c.ID, holder, "", time.Time{}, now); !ok {
			t.Fatal("release failed")
		}
	}

	killed := fmt.Sprintf("%s/%d/abcdefgh", host, deadPid)
	if _, ok, err := store.Lease(ctx, c.ID, "", killed, now.Add(time.Hour), now); !ok || err != nil {
		t.Fatalf("lease: %v %v", ok, err)
	}
	r := e.run(ctx, store, c.ID, broadcast.Options{Concurrency: 2})
	r.wait()
	if r.err != nil || r.p.Sent != 3 {
		t.Fatalf("run over a killed runner's lease: %+v %v", r.p, r.err)
	}
	l, ok, err := store.Lease(ctx, c.ID, "", "next", now.Add(time.Hour), now)
	if !ok || err != nil || l.Owner != "next" {
		t.Fatalf("lease after the run: %+v %v %v; want it released", l, ok, err)
	}
}

// failingStore fails Recipients after the first n calls.
type failingStore struct {
	broadcast.Store
	mu sync.Mutex
	n  int
}

var errStoreDown = errors.New("store down")

func (s *failingStore) Recipients(ctx context.Context, id int64, st broadcast.Status, after int64, n int) ([]broadcast.Recipient, error) {
	s.mu.Lock()
	s.n--
	fail := s.n < 0
	s.mu.Unlock()
	if fail {
		return nil, errStoreDown
	}
	return s.Store.Recipients(ctx, id, st, after, n)
}

// A Store that fails while the recipients are read stops the run with its
// error, with the lease released and nobody left Sending.
func TestStoreFailureStopsRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, limit.Config{}, nil, nil)
		chats := e.users(1, 10)
		mem := broadcast.NewMemoryStore()
		c := newCampaign(t, mem, broadcast.Message{Text: "hi"}, chats)
		for calls := range 3 { // 0: settling the in-doubt ones; 1, 2: pages
			store := &failingStore{Store: mem, n: calls}
			r := e.run(t.Context(), store, c.ID, broadcast.Options{Concurrency: 2, PageSize: 4})
			r.wait()
			if !errors.Is(r.err, errStoreDown) {
				t.Fatalf("after %d reads: %v, want the store's error", calls, r.err)
			}
			p, _ := mem.Progress(context.Background(), c.ID)
			if p.Sending != 0 {
				t.Fatalf("after %d reads: %+v, want nobody in doubt", calls, p)
			}
			if l, ok, _ := mem.Lease(context.Background(), c.ID, "", "probe", time.Now().Add(time.Hour), time.Now()); !ok {
				t.Fatalf("after %d reads: lease still held by %s", calls, l.Owner)
			}
			_, _, _ = mem.Lease(context.Background(), c.ID, "probe", "", time.Time{}, time.Now())
		}
		r := e.run(t.Context(), mem, c.ID, broadcast.Options{Concurrency: 2})
		r.wait()
		if r.err != nil || r.p.Sent != 10 {
			t.Fatalf("resumed: %+v %v", r.p, r.err)
		}
		for _, id := range chats {
			if n := e.botMessages(id); n != 1 {
				t.Fatalf("chat %d has %d messages", id, n)
			}
		}
	})
}

// Message.Validate refuses what would make every send fail.
func TestMessageValidate(t *testing.T) {
	long := strings.Repeat("я", 4097)
	for _, tc := range []struct {
		m    broadcast.Message
		want string // "" for valid
	}{
		{broadcast.Message{Text: "hi"}, ""},
		{broadcast.Message{PhotoFileID: "AgAD"}, ""},
		{broadcast.Message{Text: strings.Repeat("я", 4096)}, ""},
		{broadcast.Message{}, "empty message text"},
		{broadcast.Message{Text: long}, "text of 4097 characters"},
		{broadcast.Message{PhotoFileID: "AgAD", Text: strings.Repeat("x", 1025)}, "caption of 1025 characters"},
		{broadcast.Message{Text: "hi", Buttons: [][]broadcast.Button{{{URL: "https://x"}}}}, "needs a text"},
		{broadcast.Message{Text: "hi", Buttons: [][]broadcast.Button{{{Text: "b", URL: "https://x", CallbackData: "d"}}}}, "exactly one"},
	} {
		err := tc.m.Validate()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Validate(%.40v) = %v, want %q", tc.m, err, tc.want)
		}
	}
	for _, s := range []broadcast.Status{"", "delivered"} {
		if s.Valid() {
			t.Errorf("status %q is valid", s)
		}
	}
}
