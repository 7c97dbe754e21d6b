package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/redis"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/internal/testkit"
)

// journalFixture is where prepareJournal put its two chats: the busy
// one (updates 1 to 3: 1 buried, 2 dead after a reclaim, 3 waiting) and
// the other (4 pending with worker-b, 5 waiting).
type journalFixture struct {
	busy, other int // partitions
}

// prepareJournal appends five updates of two chats in two partitions,
// and has workers read, bury and reclaim some of them: 3 entries stay
// (1 pending), 2 are dead letters, worker-a owns the busy chat's
// partition and worker-b the other's.
func prepareJournal(t *testing.T, j backend.Journal) journalFixture {
	t.Helper()
	ctx := testkit.Context(t)
	n := j.Partitions()
	const busyChat = 101
	otherChat := int64(busyChat + 1)
	for backend.PartitionOf(otherChat, n) == backend.PartitionOf(busyChat, n) {
		otherChat++
	}
	fx := journalFixture{busy: backend.PartitionOf(busyChat, n), other: backend.PartitionOf(otherChat, n)}
	var entries []backend.JournalEntry
	for id := int64(1); id <= 5; id++ {
		chat := int64(busyChat)
		if id > 3 {
			chat = otherChat
		}
		update := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"chat":{"id":%d},"text":"hi"}}`, id, id, chat)
		entries = append(entries, backend.JournalEntry{UpdateID: id, Key: chat, Update: []byte(update), Meta: map[string]string{"trace": "t1"}})
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	added, err := j.Append(ctx, entries)
	must(err)
	if added != 5 {
		t.Fatalf("appended %d, want 5", added)
	}
	take := func(owner string, p, max int) []backend.JournalEntry {
		t.Helper()
		ok, err := j.Own(ctx, p, owner, time.Minute)
		must(err)
		if !ok {
			t.Fatalf("%s could not own partition %d", owner, p)
		}
		got, err := j.Read(ctx, owner, []int{p}, max, 0)
		must(err)
		if len(got) != max {
			t.Fatalf("%s read %d entries of partition %d, want %d", owner, len(got), p, max)
		}
		return got
	}
	read := take("worker-a", fx.busy, 2)
	must(j.Bury(ctx, read[0].Ref(), "cannot decode\tthe update"))
	// Delivered once already: a reclaim with maxDeliveries 1 buries it.
	if again, err := j.Reclaim(ctx, fx.busy, "worker-a", 1); err != nil || len(again) != 0 {
		t.Fatalf("reclaim: %v, %d entries handed back", err, len(again))
	}
	take("worker-b", fx.other, 1)
	must(j.Announce(ctx, "worker-a", time.Minute))
	must(j.Announce(ctx, "worker-b", time.Minute))
	return fx
}

// checkJournalCommands runs stats, dead and requeue with the flags that
// open a journal prepared by prepareJournal, and checks what they print.
func checkJournalCommands(t *testing.T, fx journalFixture, open ...string) {
	t.Helper()
	run := func(args ...string) string {
		t.Helper()
		out, err := runCmd(t, append(append([]string{"journal"}, open...), args...)...)
		if err != nil {
			t.Fatalf("journal %v: %v\n%s", args, err, out)
		}
		return out
	}
	row := func(p int, rest string) *regexp.Regexp {
		return regexp.MustCompile(`(?m)^` + fmt.Sprint(p) + ` +` + rest + `$`)
	}
	lag := `\d[\dmsh.]*s?`
	for _, args := range [][]string{nil, {"stats"}} { // stats is the default
		out := run(args...)
		for _, re := range []*regexp.Regexp{
			regexp.MustCompile(`(?m)^PARTITION +LENGTH +PENDING +LAG +OWNER$`),
			row(fx.busy, `1 +0 +`+lag+` +worker-a`),
			row(fx.other, `2 +1 +`+lag+` +worker-b`),
			regexp.MustCompile(`(?m)^total +3 +1 +` + lag + ` +2 of \d+ owned$`),
			regexp.MustCompile(`(?m)^dead letters: 2$`),
			regexp.MustCompile(`(?m)^workers: 2 \(worker-a, worker-b\)$`),
		} {
			if !re.MatchString(out) {
				t.Fatalf("journal %v lacks %s:\n%s", args, re, out)
			}
		}
	}

	var st statsJSON
	if err := json.Unmarshal([]byte(run("stats", "--json")), &st); err != nil {
		t.Fatal(err)
	}
	busy := st.Partitions[fx.busy]
	if st.Length != 3 || st.Pending != 1 || st.DeadLetters != 2 || len(st.Workers) != 2 ||
		busy.Length != 1 || busy.Owner != "worker-a" || busy.Oldest.IsZero() || busy.LagSeconds < 0 || st.LagSeconds < busy.LagSeconds {
		t.Fatalf("stats --json: %+v", st)
	}

	out := run("dead")
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^ID +UPDATE_ID +PARTITION +KEY +DELIVERIES +DIED +REASON$`),
		regexp.MustCompile(`(?m)^\S+ +1 +` + fmt.Sprint(fx.busy) + ` +101 +1 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +cannot decode the update$`),
		regexp.MustCompile(`(?m)^\S+ +2 +` + fmt.Sprint(fx.busy) + ` +101 +1 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\S.*$`),
	} {
		if !re.MatchString(out) {
			t.Fatalf("dead lacks %s:\n%s", re, out)
		}
	}
	// The header, a row, and on stderr a note.
	if out := run("dead", "--limit", "1"); strings.Count(out, "\n") != 3 || !strings.Contains(out, "\n1 of 2 dead letters shown: raise --limit") {
		t.Fatalf("dead --limit 1:\n%s", out)
	}
	var dead []deadLetterJSON
	if err := json.Unmarshal([]byte(run("dead", "--json")), &dead); err != nil {
		t.Fatal(err)
	}
	if len(dead) != 2 || dead[0].UpdateID != 1 || dead[0].Reason != "cannot decode\tthe update" || dead[0].Key != 101 ||
		dead[0].Meta["trace"] != "t1" || !strings.Contains(fmt.Sprint(dead[0].Update), "message_id") || dead[1].UpdateID != 2 {
		t.Fatalf("dead --json: %+v", dead)
	}

	if out := run("requeue", "nonsense", "1-0", "999999"); out != "requeued 0\n3 of the 3 ids named no dead letter (unknown, or requeued already)\n" {
		t.Fatalf("requeue of unknown ids: %q", out)
	}
	if out := run("requeue", dead[0].ID, dead[0].ID); !strings.HasPrefix(out, "requeued 1\n1 of the 2 ids") {
		t.Fatalf("requeue %s: %q", dead[0].ID, out)
	}
	if out := run("requeue", "--all", "--json"); out != "{\n  \"requeued\": 1\n}\n" {
		t.Fatalf("requeue --all: %q", out)
	}
	if err := json.Unmarshal([]byte(run("--json")), &st); err != nil {
		t.Fatal(err)
	}
	if st.Length != 5 || st.DeadLetters != 0 || st.Partitions[fx.busy].Length != 3 {
		t.Fatalf("stats after requeue: %+v", st)
	}
	if out := run("dead"); out != "no dead letters\n" {
		t.Fatalf("dead after requeue: %q", out)
	}
	if out := run("requeue", "--all"); out != "requeued 0\n" {
		t.Fatalf("requeue --all of nothing: %q", out)
	}
}

func TestJournalSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bot.db")
	store, err := sqlite.Open(testkit.Context(t), path, sqlite.Options{JournalPartitions: 8})
	if err != nil {
		t.Fatal(err)
	}
	fx := prepareJournal(t, store.Journal())
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	checkJournalCommands(t, fx, "--backend", "sqlite:"+path)

	// A plain path in HERALD_JOURNAL works too; the file's partition
	// count is read from it, and another one is refused.
	t.Setenv("HERALD_JOURNAL", path)
	out, err := runCmd(t, "journal")
	if err != nil || !strings.Contains(out, "2 of 8 owned") {
		t.Fatalf("journal with HERALD_JOURNAL: %v\n%s", err, out)
	}
	if _, err := runCmd(t, "journal", "--partitions", "16"); err == nil || !strings.Contains(err.Error(), "--partitions") {
		t.Fatalf("16 partitions for a file of 8: %v", err)
	}
}

func TestJournalRedis(t *testing.T) {
	addr := testkit.NeedRedis(t)
	prefix := fmt.Sprintf("herald-cli-test-%d", rand.Int64())
	cleanupRedisPrefix(t, addr, prefix)
	url := "redis://" + addr + "/0"
	store, err := redis.Open(testkit.Context(t), url, redis.Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	fx := prepareJournal(t, store.Journal())
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	checkJournalCommands(t, fx, "--backend", url, "--prefix", prefix)

	// Another prefix is another, empty, journal: the command says so.
	other := prefix + "-other"
	cleanupRedisPrefix(t, addr, other)
	t.Setenv("HERALD_JOURNAL", url)
	if out, err := runCmd(t, "journal", "--prefix", other); err != nil || !strings.Contains(out, "dead letters: 0") || !strings.Contains(out, "is --prefix") {
		t.Fatalf("empty journal: %v\n%s", err, out)
	}
	if _, err := runCmd(t, "journal", "--prefix", prefix, "--partitions", "7"); err == nil || !strings.Contains(err.Error(), "--partitions") {
		t.Fatalf("7 partitions for a journal of 16: %v", err)
	}
}

// cleanupRedisPrefix deletes the keys under prefix when the test ends.
func cleanupRedisPrefix(t *testing.T, addr, prefix string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c := goredis.NewClient(&goredis.Options{Addr: addr})
		defer c.Close()
		keys, err := c.Keys(ctx, prefix+":*").Result()
		if err == nil && len(keys) > 0 {
			err = c.Del(ctx, keys...).Err()
		}
		if err != nil {
			t.Logf("cleanup of %s: %v", prefix, err)
		}
	})
}

func TestJournalBadInput(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	t.Setenv("HERALD_JOURNAL", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"journal"}, "set HERALD_JOURNAL"},
		{[]string{"journal", "--backend", "postgres://user:hunter2@db/bot"}, `unknown scheme "postgres"`},
		{[]string{"journal", "--backend", "sqlite:"}, "no file path"},
		{[]string{"journal", "--backend", missing}, "no such file"},
		{[]string{"journal", "dead", "--backend", "sqlite:" + missing}, "no such file"},
		{[]string{"journal", "--backend", dir}, "is a directory"},
		{[]string{"journal", "--backend", "redis://:hunter2@127.0.0.1:port/0"}, "invalid port"},
		{[]string{"journal", "--backend", "redis://127.0.0.1:1/x"}, "invalid database"},
		{[]string{"journal", "--backend", missing, "--partitions", "-1"}, "--partitions"},
		{[]string{"journal", "--backend", missing, "dead", "--limit", "0"}, "--limit must be positive"},
		{[]string{"journal", "--backend", missing, "requeue"}, "--all"},
		{[]string{"journal", "--backend", missing, "requeue", "--all", "5"}, "not both"},
		{[]string{"journal", "--backend", missing, "purge"}, "unknown command"},
	} {
		out, err := runCmd(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error about %q\n%s", tc.args, err, tc.want, out)
		}
		if strings.Contains(out, "hunter2") || err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%v: the password was printed: %v\n%s", tc.args, err, out)
		}
	}
	// The help shows no default from HERALD_JOURNAL, which may hold a password.
	t.Setenv("HERALD_JOURNAL", "redis://:hunter2@127.0.0.1:1/0")
	if out, err := runCmd(t, "journal", "--help"); err != nil || strings.Contains(out, "hunter2") || !strings.Contains(out, "--backend") {
		t.Errorf("help: %v\n%s", err, out)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("the missing database was created: %v", err)
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                     "0s",
		850 * time.Millisecond:                "850ms",
		42*time.Second + 400*time.Millisecond: "42s",
		3*time.Minute + 7*time.Second:         "3m7s",
		5*time.Hour + 12*time.Minute:          "5h12m",
		76*time.Hour + 20*time.Minute:         "3d4h",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
