package redis

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend/backendtest"
	"github.com/heraldbot/herald/internal/testkit"
)

// envJournalChild is set in the children of TestJournalTwoProcesses: the
// child's number and the bot, "<n> <bot>".
const envJournalChild = "HERALD_JOURNAL_CHILD"

// journalProcUpdates is how many update ids the two processes append.
const journalProcUpdates = 300

// TestJournalTwoProcesses: two OS processes, each with its own client and
// Store for one bot, append the same update ids at the same moment, in
// batches of 10 whose bounds differ between them, one from the first id
// and one from the last: exactly one copy of each update lands in the
// streams. The processes meet on Redis lists: each pushes "ready" and
// waits for "go", then pushes how many it added.
func TestJournalTwoProcesses(t *testing.T) {
	ctx := testkit.Context(t)
	c := newClient(t)
	bot := randomBot()
	cleanupBot(t, c, DefaultPrefix, bot)
	s := New(c, bot, Options{})
	for i := range 2 {
		backendtest.StartChild(t, "TestJournalChildProcess", "HERALD_REDIS_ADDR="+testkit.RedisAddr(),
			fmt.Sprintf("%s=%d %d", envJournalChild, i, bot))
	}
	ready, start, done := s.nameKey("test", "ready"), s.nameKey("test", "go"), s.nameKey("test", "done")
	for range 2 {
		if err := c.BLPop(ctx, 30*time.Second, ready).Err(); err != nil {
			t.Fatalf("waiting for the children: %v", err)
		}
	}
	if err := c.RPush(ctx, start, "go", "go").Err(); err != nil {
		t.Fatal(err)
	}
	added := 0
	for range 2 {
		v, err := c.BLPop(ctx, 30*time.Second, done).Result()
		if err != nil {
			t.Fatalf("waiting for the children: %v", err)
		}
		n, err := strconv.Atoi(v[1])
		if err != nil {
			t.Fatalf("a child failed: %s", v[1])
		}
		t.Logf("a process added %d", n)
		added += n
	}
	if added != journalProcUpdates {
		t.Errorf("the two processes added %d, want %d", added, journalProcUpdates)
	}
	var got []int64
	for p := range s.journal.n {
		es, err := s.journal.Read(ctx, "check", []int{p}, 2*journalProcUpdates, 0)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ids(es)...)
	}
	slices.Sort(got)
	want := make([]int64, journalProcUpdates)
	for i := range want {
		want[i] = int64(i + 1)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the streams hold %d entries, want update ids 1..%d once each: %v", len(got), journalProcUpdates, got)
	}
}

// TestJournalChildProcess is the body of TestJournalTwoProcesses' child
// processes; it does nothing when run on its own.
func TestJournalChildProcess(t *testing.T) {
	var id string
	var bot int64
	if _, err := fmt.Sscanf(os.Getenv(envJournalChild), "%s %d", &id, &bot); err != nil {
		t.Skip("a helper process of TestJournalTwoProcesses")
	}
	s := New(goredis.NewClient(&goredis.Options{Addr: testkit.RedisAddr()}), bot, Options{})
	defer s.client.Close()
	ctx := testkit.Context(t)
	done := s.nameKey("test", "done")
	report := func(v string) {
		if err := s.client.RPush(ctx, done, v).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.client.RPush(ctx, s.nameKey("test", "ready"), id).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.client.BLPop(ctx, 30*time.Second, s.nameKey("test", "go")).Err(); err != nil {
		report(err.Error())
		t.Fatal(err)
	}
	added := 0
	add := func(from, to int64) { // both processes put an update in one chat
		es := batch(max(from, 1), min(to, journalProcUpdates+1), 0)
		for k := range es {
			es[k].Key = -100 - es[k].UpdateID%7
		}
		n, err := s.journal.Append(ctx, es)
		if err != nil {
			report(err.Error())
			t.Fatal(err)
		}
		added += n
	}
	for i := range journalProcUpdates / 10 {
		from := int64(10*i + 1)
		if id == "1" { // from the end, with bounds shifted by 5
			from = int64(journalProcUpdates - 10*i - 4)
		}
		add(from, from+10)
	}
	if id == "1" {
		add(1, 6) // the first ids its shifted batches left out
	}
	report(strconv.Itoa(added))
}
