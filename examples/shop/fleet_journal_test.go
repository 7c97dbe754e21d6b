package main

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/redis"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/internal/pgtest"
	"github.com/heraldbot/herald/tg"
)

// TestFleetJournal runs the shop as docs/SCALING.md's "The shop as
// receiver + workers" says: one receiver (HERALD_ROLE=receiver) long
// polling the emulator and three workers (HERALD_ROLE=worker), separate
// OS processes (TestFleetChild), sharing an update journal on Redis
// (SHOP_JOURNAL), with the bot's state (SHOP_BACKEND) and the shop's data
// (DATABASE_URL) in PostgreSQL.
//
// Shoppers go through complete sessions at once (shop: catalog, cart,
// checkout form, confirm, receipt). When a third of the bot's messages
// are out (HERALD_JFLEET_KILL_AFTER messages, default 30), the worker
// that owns the most shoppers' partitions is killed with SIGKILL and a
// replacement started; 20 messages later the receiver is killed with
// SIGKILL and restarted. Every shopper must get exactly the
// expected messages in order and have one order in PostgreSQL and an
// empty cart; the killed worker's partitions must be owned again within
// the 5 s lease and a round of rebalancing; the journal must end empty,
// with no dead letter and no worker left; every update must be confirmed
// to the emulator, which must have answered no 429.
func TestFleetJournal(t *testing.T) {
	if testing.Short() {
		t.Skip("the receiver and its workers take about 40 s")
	}
	dataURL := pgtest.Schema(t, "shop_jfleet")
	// The engine's schema doubles as the journal's Redis key prefix: the
	// shop gives SHOP_NAMESPACE to both.
	engineSchema := pgtest.Schema(t, "shop_jfleet_engine")
	namespace := engineSchema[strings.LastIndex(engineSchema, "=")+1:]
	redisURL := "redis://" + fleetRedis(t) + "/0"
	j := openFleetJournal(t, redisURL, namespace)
	begin := time.Now()

	const shoppers = 10
	token := strconv.FormatInt(8_000_000+rand.Int64N(1_000_000), 10) + ":shop-journal"
	srv := emutest.Start(t, emulator.Options{Logger: emutest.Quiet()})
	if _, err := srv.Emu.AddBot(token); err != nil {
		t.Fatal(err)
	}
	gaps := watchGaps(t, srv.Emu, token)

	env := []string{
		envFleetChild + "=1",
		"BOT_TOKEN=" + token,
		"SHOP_BACKEND=" + pgtest.Addr,
		"SHOP_NAMESPACE=" + namespace,
		"SHOP_JOURNAL=" + redisURL,
		"DATABASE_URL=" + dataURL,
		"SHOP_DB=" + t.TempDir() + "/unused.db",
		"HERALD_MODE=polling",
	}
	var procs []*instance // every process started, for the sends and the stop
	spawn := func(role string) *instance {
		in := newInstance(t, len(procs), srv.URL, append(slices.Clip(env), "HERALD_ROLE="+role))
		in.start(t)
		procs = append(procs, in)
		return in
	}
	sent := func() (n int64) {
		for _, in := range procs {
			n += in.sends.Load()
		}
		return n
	}

	receiver := spawn("receiver")
	workers := []*instance{spawn("worker"), spawn("worker"), spawn("worker")}
	owners := make(map[*instance]string)
	for _, w := range workers {
		owners[w] = mustOutput(t, w, workerStarted)
	}
	mustOutput(t, receiver, botStarted)
	emutest.Until(t, 30*time.Second, "the 16 partitions shared by the three workers", func() bool {
		return balanced(t, j, owners)
	})
	t.Logf("receiver and %d workers up in %v", len(workers), time.Since(begin).Round(time.Millisecond))

	run := time.Now()
	var wg sync.WaitGroup
	orders := make([]string, shoppers)
	took := make([]time.Duration, shoppers)
	chats := make([]*emutest.Chat, shoppers)
	for i := range shoppers {
		chats[i] = srv.Chat(t, token, tg.User{ID: int64(300_001 + i), FirstName: "Shopper" + strconv.Itoa(i)})
		wg.Go(func() {
			start := time.Now()
			orders[i] = shop(t, chats[i])
			took[i] = time.Since(start)
		})
	}

	// About nine messages per shopper: a third of them out (each shopper
	// pressing Checkout), kill the worker with the most shoppers' chats,
	// and start a replacement.
	// (Receipts are River jobs in the shared database, so a receipt the
	// killed worker was printing runs again elsewhere: TestReceiptsSurviveKill.)
	// Failures here are errors, not fatal: the shoppers' goroutines run on
	// until their own timeouts, and must not outlive the test.
	var victim *instance
	victimChats := map[int64]bool{}
	var killedAt time.Time
	takenOver := make(chan time.Time, 1) // when the killed worker's partitions all had a live owner
	killAfter := int64(3 * shoppers)
	if v := os.Getenv("HERALD_JFLEET_KILL_AFTER"); v != "" {
		killAfter, _ = strconv.ParseInt(v, 10, 64)
	}
	if !waitFor(40*time.Second, func() bool { return sent() >= killAfter }) {
		t.Errorf("the workers sent %d messages in 40 s; want %d before the kill", sent(), killAfter)
	} else {
		var parts []int
		victim, parts = busiest(t, j, owners, chats)
		killedAt = time.Now()
		victim.kill()
		for _, p := range parts {
			for _, ch := range chats {
				if backend.PartitionOf(ch.User.ID, j.Partitions()) == p {
					victimChats[ch.User.ID] = true
				}
			}
		}
		t.Logf("killed worker %s (%d messages sent) with partitions %v: %d of %d shoppers' chats",
			owners[victim], victim.sends.Load(), parts, len(victimChats), shoppers)
		replacement := spawn("worker")
		go func() {
			dead := owners[victim]
			var at time.Time
			if waitFor(30*time.Second, func() bool { return ownedBy(t, j, parts, func(o string) bool { return o != "" && o != dead }) }) {
				at = time.Now()
			}
			takenOver <- at
		}()
		if o, err := output(replacement, workerStarted); err != nil {
			t.Error(err)
		} else {
			owners[replacement] = o
			t.Logf("replacement worker %s started %v after the kill", o, time.Since(killedAt).Round(time.Millisecond))
		}
		delete(owners, victim)
	}

	// Later (or after 8 s at most: stuck chats send nothing), kill the
	// receiver and start another. Its last getUpdates batch, appended but
	// not confirmed, is fetched again and skipped by the journal's
	// de-duplication.
	waitFor(8*time.Second, func() bool { return sent() >= killAfter+2*shoppers })
	receiver.kill()
	down := time.Now()
	if _, err := output(spawn("receiver"), botStarted); err != nil {
		t.Error(err)
	}
	t.Logf("receiver killed with %d messages out, restarted: %v without a receiver", sent(), time.Since(down).Round(time.Millisecond))
	wg.Wait()
	t.Logf("%d shoppers done in %v", shoppers, time.Since(run).Round(time.Millisecond))

	// Orders and messages.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := service.Open(ctx, dataURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var repeats atomic.Int64
	var stuck []int64
	for i, ch := range chats {
		if orders[i] == "" { // shop failed the test: the transcript is above
			stuck = append(stuck, ch.User.ID)
			continue
		}
		hist, err := db.Orders().History(ctx, ch.User.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 1 || "#"+strconv.FormatInt(hist[0].ID, 10) != orders[i] || hist[0].TotalCents != 2380 {
			t.Errorf("shopper %d: orders %+v, confirmed %s; want exactly that one, $23.80", ch.User.ID, hist, orders[i])
		}
		if cart, err := db.Carts().Get(ctx, ch.User.ID); err != nil || !cart.Empty() {
			t.Errorf("shopper %d: cart after the order %+v (%v), want empty", ch.User.ID, cart, err)
		}
		checkMessages(t, ch, shopperMessages(orders[i]), &repeats)
	}
	if len(stuck) > 0 {
		t.Errorf("shoppers %v did not finish their session; the killed worker's chats were %v", stuck, slices.Sorted(maps.Keys(victimChats)))
	}
	if n := repeats.Load(); n > 3 {
		t.Errorf("%d messages sent twice in a row; want at most a few, from the killed worker", n)
	}
	if st, err := db.Orders().Stats(ctx); err != nil || st.Orders != shoppers {
		t.Errorf("stats %+v (%v), want %d orders", st, err, shoppers)
	}

	// How long the killed worker's chats waited: the longest silence in
	// a chat (a reply, or the shopper's next step, which comes at once).
	var hit, missed []time.Duration
	for i, ch := range chats {
		if orders[i] == "" {
			continue
		}
		g := gaps.longest(ch.User.ID)
		if victimChats[ch.User.ID] {
			hit = append(hit, g)
			t.Logf("shopper %d (killed worker's): longest wait %v, session %v", ch.User.ID, g.Round(time.Millisecond), took[i].Round(time.Millisecond))
		} else {
			missed = append(missed, g)
		}
	}
	t.Logf("longest wait in a finished session: killed worker's chats %v, the others %v; sessions %v",
		spread(hit), spread(missed), spread(slices.DeleteFunc(took, func(d time.Duration) bool { return d == 0 })))
	if !killedAt.IsZero() {
		if at := <-takenOver; at.IsZero() {
			t.Errorf("the killed worker's partitions were not owned again within 30 s")
		} else {
			t.Logf("the killed worker's partitions were all owned again %v after the kill", at.Sub(killedAt).Round(time.Millisecond))
		}
	}

	// The journal drains; the processes stop and leave it.
	var length int64
	if !waitFor(15*time.Second, func() bool { length, err = j.Len(ctx); return err == nil && length == 0 }) {
		t.Errorf("the journal holds %d entries (%v) 15 s after the last receipt; want none", length, err)
	}
	for _, in := range procs {
		in.stop(t) // at once for the killed ones
	}
	js, err := j.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if js.DeadLetters != 0 {
		t.Errorf("%d dead letters, want none", js.DeadLetters)
	}
	for _, p := range js.Partitions {
		if p.Length != 0 || p.Owner != "" {
			t.Errorf("after the stop, partition %d holds %d entries and is owned by %q; want empty and free", p.Partition, p.Length, p.Owner)
		}
	}
	if ws, err := j.Workers(ctx); err != nil || len(ws) != 0 {
		t.Errorf("workers after the stop: %v (%v), want none", ws, err)
	}
	es, err := srv.Emu.Stats(token)
	if err != nil {
		t.Fatal(err)
	}
	if es.UpdatesConfirmed != es.UpdatesQueued || es.TooManyRequests != 0 {
		t.Errorf("emulator: %d updates, %d confirmed, %d × 429; want all confirmed, no 429", es.UpdatesQueued, es.UpdatesConfirmed, es.TooManyRequests)
	}
	t.Logf("emulator: %d updates, delivered %d times by getUpdates (more: the killed receiver's unconfirmed batch fetched again), %d confirmed; %d × 429; %d replies sent twice; whole test %v",
		es.UpdatesQueued, es.UpdatesDelivered, es.UpdatesConfirmed, es.TooManyRequests, repeats.Load(), time.Since(begin).Round(time.Millisecond))
}

// The log lines that say a process is up: the bot's, and a worker's with
// its owner name in the journal.
var (
	botStarted    = regexp.MustCompile(`bot started`)
	workerStarted = regexp.MustCompile(`journal: worker started owner=(\S+)`)
)

// output waits up to 60 s for the instance to log a line matching re and
// returns the first submatch, if any.
func output(in *instance, re *regexp.Regexp) (string, error) {
	var m []string
	up := waitFor(60*time.Second, func() bool {
		in.out.mu.Lock()
		m = re.FindStringSubmatch(in.out.b.String())
		in.out.mu.Unlock()
		if m != nil {
			return true
		}
		select {
		case <-in.done:
			return true
		default:
			return false
		}
	})
	switch {
	case m != nil:
		return m[len(m)-1], nil
	case up:
		return "", fmt.Errorf("instance %d exited before logging %q:\n%s", in.n, re, in.out.tail(4000))
	}
	return "", fmt.Errorf("instance %d did not log %q within 60 s:\n%s", in.n, re, in.out.tail(4000))
}

func mustOutput(t *testing.T, in *instance, re *regexp.Regexp) string {
	t.Helper()
	s, err := output(in, re)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// waitFor polls cond every 20 ms for up to d and reports whether it held.
func waitFor(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(d); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// openFleetJournal opens the journal the shop's processes share, and
// deletes its keys when the test ends.
func openFleetJournal(t *testing.T, url, prefix string) backend.Journal {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := redis.Open(ctx, url, redis.Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		opts, _ := goredis.ParseURL(url)
		c := goredis.NewClient(opts)
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, prefix+":*", 500).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Logf("deleting the keys under %s: %v", prefix, err)
		}
	})
	return s.Journal()
}

// journalStats is j.Stats within 5 s; nil (logged) on an error.
func journalStats(t *testing.T, j backend.Journal) []backend.PartitionStats {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := j.Stats(ctx)
	if err != nil {
		t.Logf("journal stats: %v", err)
		return nil
	}
	return st.Partitions
}

// balanced reports whether each partition is owned by its share's worker:
// partition p by the p mod n-th of the n sorted owners.
func balanced(t *testing.T, j backend.Journal, owners map[*instance]string) bool {
	var names []string
	for _, o := range owners {
		names = append(names, o)
	}
	slices.Sort(names)
	ps := journalStats(t, j)
	for _, p := range ps {
		if p.Owner != names[p.Partition%len(names)] {
			return false
		}
	}
	return len(ps) > 0
}

// ownedBy reports whether the owner of each of the partitions ps passes ok.
func ownedBy(t *testing.T, j backend.Journal, ps []int, ok func(owner string) bool) bool {
	owner := map[int]string{}
	for _, p := range journalStats(t, j) {
		owner[p.Partition] = p.Owner
	}
	for _, p := range ps {
		if o, known := owner[p]; !known || !ok(o) {
			return false
		}
	}
	return true
}

// busiest returns the worker owning the partitions of the most chats, and
// the partitions it owns.
func busiest(t *testing.T, j backend.Journal, owners map[*instance]string, chats []*emutest.Chat) (*instance, []int) {
	st := journalStats(t, j)
	var best *instance
	var bestParts []int
	most := -1
	for in, o := range owners {
		var parts []int
		n := 0
		for _, p := range st {
			if p.Owner != o {
				continue
			}
			parts = append(parts, p.Partition)
			for _, ch := range chats {
				if backend.PartitionOf(ch.User.ID, len(st)) == p.Partition {
					n++
				}
			}
		}
		if n > most {
			best, bestParts, most = in, parts, n
		}
	}
	return best, bestParts
}

// chatGaps records, per chat, the longest time between two events of its
// transcript (messages sent or edited by either side, button answers).
type chatGaps struct {
	mu      sync.Mutex
	last    map[int64]time.Time
	max     map[int64]time.Duration
	dropped bool
}

// watchGaps follows every chat of the bot until the test ends.
func watchGaps(t *testing.T, emu *emulator.Emulator, token string) *chatGaps {
	events, cancel, err := emu.Subscribe(token, 0)
	if err != nil {
		t.Fatal(err)
	}
	g := &chatGaps{last: map[int64]time.Time{}, max: map[int64]time.Duration{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range events {
			now := time.Now()
			g.mu.Lock()
			if prev, ok := g.last[ev.ChatID]; ok {
				g.max[ev.ChatID] = max(g.max[ev.ChatID], now.Sub(prev))
			}
			g.last[ev.ChatID] = now
			g.mu.Unlock()
		}
		g.mu.Lock()
		g.dropped = true
		g.mu.Unlock()
	}()
	t.Cleanup(func() { cancel(); <-done })
	return g
}

func (g *chatGaps) longest(chat int64) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.dropped {
		return -1 // the subscription fell behind: unknown
	}
	return g.max[chat]
}

// spread formats the smallest and largest of ds.
func spread(ds []time.Duration) string {
	if len(ds) == 0 {
		return "(none)"
	}
	return slices.Min(ds).Round(100*time.Millisecond).String() + "–" + slices.Max(ds).Round(100*time.Millisecond).String()
}
