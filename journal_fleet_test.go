package herald_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend"
	redisstore "github.com/heraldbot/herald/backend/redis"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/internal/pgtest"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/txonce"
)

// TestJournalFleet proves the journal's guarantees with real processes:
// one receiver (herald.RoleReceiver, long polling the emulator over HTTP)
// and three workers (herald.RoleWorker) share a redis-server that the
// test runs with appendonly and appendfsync always (herald.WithBackend
// on it: claims, chat locks and the Redis Streams journal). A worker
// handles each message inside c.Once("effect:<update id>"): it replies
// with the message's sequence number, then counts the update's effect in
// Redis.
//
// While the messages arrive over many chats (spread over at least 30 s,
// at most a window ahead of the answers), the test SIGKILLs a random
// worker every 2 s and starts a replacement; mid-run it stops Redis
// (SIGTERM: it persists) and restarts it on the same port and data, and
// asserts that answers resume within 5 s of Redis being back; later it
// SIGKILLs the receiver just after it appended a batch that it had not
// confirmed to the emulator yet (see TestJournalFleetChildProcess) and
// starts another, which gets that batch again.
//
// In the end: no message lost (each answered and its effect done), the
// answers of each chat in the order of its messages, no update in two
// journal entries (the new receiver's append of the batch was skipped),
// every update confirmed, the journal empty and no dead letters. A
// message may be answered again, and its effect done again, only in the
// window Context.Once documents: the worker that did it was killed
// before Once recorded it, and another worker does it again before the
// chat's next message; a killed worker leaves at most one such message
// per chat, and an effect done again comes with its answer sent again.
// Such repeats are counted and logged with the other figures: with an
// effect outside Once's store they cannot be ruled out (a worker killed
// under load is usually between the effect and Once's record in one chat
// or two).
//
// HERALD_FLEET_UPDATES (default 10,000) sets the number of messages,
// HERALD_FLEET_CHATS (default 200) the chats, HERALD_FLEET_SEND_S
// (default 30) the least time they take to arrive,
// HERALD_FLEET_KILL_EVERY_MS (default 2,000) the kill period,
// HERALD_FLEET_OUTAGE_MS (default 2,000) how long Redis stays down and
// HERALD_FLEET_TIMEOUT_S (default 120 s plus 10 ms a message) the time
// bound, within go test's -timeout. HERALD_JFLEET_DEBUG=1 shows the
// processes' logs.
func TestJournalFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a fleet of bot processes and a redis-server for a while")
	}
	f := newJournalFleet(t)
	f.run()
	f.check()
}

// journalFleet is one run of TestJournalFleet.
type journalFleet struct {
	t         *testing.T
	w         *world
	redis     *fleetRedis
	rc        *goredis.Client
	db        *sql.DB // the SQL effects (txonce), in a PostgreSQL schema of the run
	dsn       string
	store     *redisstore.Store // the parent's view of the bot's journal
	token     string
	total     int // messages, besides the receiver's hold message
	chats     int
	perChat   int
	killEvery time.Duration
	sendFor   time.Duration // the least time the messages take to arrive
	outage    time.Duration
	deadline  time.Time

	sent      atomic.Int64
	recv      *child
	receivers int
	workers   []*child
	all       []*child        // every process started
	started   int             // workers started
	killed    map[string]bool // processes SIGKILLed
	kills     int             // workers SIGKILLed
	begin     time.Time
	took      time.Duration
	resume    time.Duration    // from Redis accepting connections again to the next answer
	holdID    int64            // the update id of the receiver's hold message
	textOf    map[int64]string // update id → message text, written by send (but the hold message)
}

const (
	fleetChat0    = 7000 // chat of messages c: fleetChat0 + c
	fleetHoldChat = 6999 // the chat of the receiver's hold message
)

func newJournalFleet(t *testing.T) *journalFleet {
	t.Helper()
	total := envInt(t, "HERALD_FLEET_UPDATES", 10_000)
	chats := min(envInt(t, "HERALD_FLEET_CHATS", 200), total)
	perChat := (total + chats - 1) / chats
	total = perChat * chats
	timeout := time.Duration(envInt(t, "HERALD_FLEET_TIMEOUT_S", 120+total/100)) * time.Second
	deadline := time.Now().Add(timeout)
	if d, ok := t.Deadline(); ok && d.Add(-30*time.Second).Before(deadline) {
		deadline = d.Add(-30 * time.Second) // room to report and clean up
	}
	r := startFleetRedis(t)
	limits := emulator.NoLimits()
	f := &journalFleet{
		t: t, redis: r, token: fleetToken, total: total, chats: chats, perChat: perChat,
		w: &world{emutest.Start(t, emulator.Options{Limits: &limits,
			MaxMessagesPerChat: 4*perChat + 100, MaxPendingUpdates: 2*total + 1000})},
		killEvery: time.Duration(envInt(t, "HERALD_FLEET_KILL_EVERY_MS", 2000)) * time.Millisecond,
		outage:    time.Duration(envInt(t, "HERALD_FLEET_OUTAGE_MS", 2000)) * time.Millisecond,
		sendFor:   time.Duration(envInt(t, "HERALD_FLEET_SEND_S", 30)) * time.Second,
		deadline:  deadline, killed: map[string]bool{}, textOf: map[int64]string{},
	}
	// The SQL effects: one row per message through txonce, in the same
	// transaction as its once-mark, so exactly one whatever the kills.
	f.dsn = pgtest.Schema(t, "herald_jfleet")
	db, err := sql.Open("pgx", f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := txonce.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(effectsSchema); err != nil {
		t.Fatal(err)
	}
	f.db = db
	f.rc = goredis.NewClient(&goredis.Options{Addr: r.addr, ContextTimeoutEnabled: true, DialTimeout: 500 * time.Millisecond})
	t.Cleanup(func() { f.rc.Close() })
	f.store = redisstore.New(f.rc, fleetBotID, redisstore.Options{})
	if f.store.Journal() == nil {
		t.Fatal("the Redis store has no journal")
	}
	return f
}

// run starts the fleet, sends the messages through the kills and the
// outages, and waits for every message to be handled.
func (f *journalFleet) run() {
	t := f.t
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.begin = time.Now()
	f.recv = f.startReceiver()
	for range 3 {
		f.workers = append(f.workers, f.startWorker())
	}
	sendErr := make(chan error, 1)
	go func() { sendErr <- f.send(ctx) }()

	outageDone, holdDone := false, false
	tick := time.NewTicker(f.killEvery)
	defer tick.Stop()
	for sending := true; sending || !outageDone || !holdDone; {
		select {
		case err := <-sendErr:
			if err != nil {
				t.Fatal(err)
			}
			sending = false
			continue
		case <-tick.C:
		}
		f.checkDeadline("sending")
		sent := f.sent.Load()
		switch {
		case !outageDone && (sent >= int64(f.total)*3/10 || !sending):
			f.redisOutage()
			outageDone = true
		case !holdDone && (sent >= int64(f.total)*6/10 || !sending):
			f.killReceiver()
			holdDone = true
		case sending:
			f.killWorker()
		}
	}
	killedAt := time.Now()
	f.until(time.Until(f.deadline), "every message to be handled, the journal to be empty and every update confirmed", f.finished)
	tail := time.Since(killedAt)
	f.took = time.Since(f.begin)
	terminate(f.recv, 20*time.Second)
	for _, w := range f.workers {
		terminate(w, 20*time.Second)
	}
	t.Logf("every message handled %.1f s after the last kill", tail.Seconds())
}

// send writes the messages, each chat's in order, chats interleaved,
// spread over at least sendFor and at most a window ahead of the answers,
// so that they arrive during the whole run.
func (f *journalFleet) send(ctx context.Context) error {
	window := int64(max(2000, 10*f.chats))
	begin := time.Now()
	for i := range f.perChat {
		for c := range f.chats {
			n := f.sent.Load()
			if n%100 == 0 {
				for ctx.Err() == nil && n-f.answers() > window {
					time.Sleep(20 * time.Millisecond)
				}
			}
			if due := begin.Add(time.Duration(n) * f.sendFor / time.Duration(f.total)); time.Until(due) > 0 {
				time.Sleep(time.Until(due))
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			m, err := f.w.Emu.SendMessage(ctx, emulator.UserMessage{Token: f.token, From: user(fleetChat0 + int64(c)),
				Text: fleetText(c, i)})
			if err != nil {
				return err
			}
			f.textOf[m.UpdateID] = fleetText(c, i)
			f.sent.Add(1)
		}
	}
	return nil
}

// fleetText is the i-th message of chat c.
func fleetText(c, i int) string { return fmt.Sprintf("c%03d-m%05d", c, i) }

// stats returns the emulator's counters of the bot.
func (f *journalFleet) stats() emulator.Stats {
	st, err := f.w.Emu.Stats(f.token)
	if err != nil {
		return emulator.Stats{Requests: map[string]int64{}}
	}
	return st
}

// answers is the number of answers sent so far.
func (f *journalFleet) answers() int64 { return f.stats().Requests["sendMessage"] }

// effects is the number of updates whose effect was done.
func (f *journalFleet) effects() int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, _ := f.rc.HLen(ctx, fleetEffects).Result()
	return n
}

// journalLen is the journal's length, -1 when Redis does not answer.
func (f *journalFleet) journalLen() int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := f.store.Journal().Len(ctx)
	if err != nil {
		return -1
	}
	return n
}

// finished reports whether every message (and the hold message) was
// handled, the journal is empty and the emulator holds no update.
func (f *journalFleet) finished() bool {
	st := f.stats()
	return f.sent.Load() == int64(f.total) && f.effects() == int64(f.total+1) && f.journalLen() == 0 &&
		st.UpdatesPending == 0 && st.UpdatesConfirmed == int64(f.total+1)
}

func (f *journalFleet) progress() string {
	st := f.stats()
	return fmt.Sprintf("%d/%d messages sent, %d answers, %d effects done, journal length %d, %d updates confirmed, %d pending, %d worker kills",
		f.sent.Load(), f.total, st.Requests["sendMessage"], f.effects(), f.journalLen(), st.UpdatesConfirmed, st.UpdatesPending, f.kills)
}

// until waits up to d for cond, checking it every 50 ms, and fails the
// test with the progress if it does not come.
func (f *journalFleet) until(d time.Duration, what string, cond func() bool) {
	f.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			f.t.Fatalf("waited %v for %s: %s", d.Round(time.Second), what, f.progress())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkDeadline fails the test once the time bound passed.
func (f *journalFleet) checkDeadline(what string) {
	if time.Now().After(f.deadline) {
		f.t.Fatalf("%s: not done by the time bound: %s", what, f.progress())
	}
}

// killWorker SIGKILLs a random worker and starts a replacement.
func (f *journalFleet) killWorker() {
	i := rand.IntN(len(f.workers))
	f.workers[i].kill()
	f.killed[f.workers[i].name] = true
	f.kills++
	f.workers[i] = f.startWorker()
}

// redisOutage stops Redis (SIGTERM: it writes its data), keeps it down
// for the outage, starts it again on the same port and data, and
// measures how long the fleet takes to answer again.
func (f *journalFleet) redisOutage() {
	t := f.t
	waiting := f.sent.Load() - f.effects()
	f.redis.stop()
	time.Sleep(f.outage)
	f.redis.start()
	up := time.Now()
	if waiting <= 0 {
		t.Log("Redis outage: no message was waiting for its answer when Redis stopped; nothing to resume")
		return
	}
	before := f.answers()
	f.until(60*time.Second, "an answer after Redis came back", func() bool { return f.answers() > before })
	f.resume = time.Since(up)
	if f.resume > 5*time.Second {
		t.Errorf("work resumed %v after Redis was back, want within 5 s", f.resume.Round(time.Millisecond))
	}
}

// killReceiver sends the receiver its hold message, waits until it
// appended the batch holding it to the journal and is about to confirm
// it, SIGKILLs it then and starts another receiver, which gets the batch
// again from the emulator and appends it again: the journal must skip it
// (check finds the hold message's entry was the first receiver's).
func (f *journalFleet) killReceiver() {
	t := f.t
	hold, err := f.w.Emu.SendMessage(context.Background(), emulator.UserMessage{Token: f.token, From: user(fleetHoldChat),
		Text: fleetHoldText(f.recv.name)})
	if err != nil {
		t.Fatal(err)
	}
	f.holdID = hold.UpdateID
	f.recv.expect("held", 60*time.Second)
	f.recv.kill()
	f.killed[f.recv.name] = true
	old := f.recv.name
	f.recv = f.startReceiver()
	f.recv.expect("saw "+fleetHoldText(old), 60*time.Second) // delivered again
}

func (f *journalFleet) startReceiver() *child {
	f.receivers++
	return f.startChild(herald.RoleReceiver, "r"+strconv.Itoa(f.receivers-1))
}

func (f *journalFleet) startWorker() *child {
	f.started++
	return f.startChild(herald.RoleWorker, "w"+strconv.Itoa(f.started-1))
}

// startChild runs the test binary as a fleet process (see
// TestJournalFleetChildProcess) with role.
func (f *journalFleet) startChild(role herald.Role, name string) *child {
	t := f.t
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestJournalFleetChildProcess$", "-test.count=1", "-test.timeout=60m")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HERALD_") || strings.HasPrefix(kv, envFleetDebug+"=") { // the parent's settings stay out
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, envFleetChild+"=1", envFleetName+"="+name,
		envFleetRedis+"="+f.redis.addr, envChildDB+"="+f.dsn, herald.EnvRole+"="+string(role), herald.EnvAPIURL+"="+f.w.URL)
	c := &child{t: t, name: name, cmd: cmd, lines: make(chan string, 16), done: make(chan struct{})}
	var err error
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	// The protocol lines go to c.lines, everything to c.out.
	cmd.Stdout = io.MultiWriter(&c.out, &lineSplitter{line: func(l string) {
		if rest, ok := strings.CutPrefix(l, childLine); ok {
			select {
			case c.lines <- rest:
			default:
			}
		}
	}})
	cmd.Stderr = &c.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = cmd.Wait()
		c.state = cmd.ProcessState
		close(c.done)
	}()
	f.all = append(f.all, c)
	t.Cleanup(func() {
		c.kill()
		if t.Failed() || os.Getenv(envFleetDebug) != "" {
			t.Logf("output of fleet process %s (%v), last lines:\n%s", c.name, c.state, c.out.tail(2000))
		}
	})
	return c
}

// lineSplitter calls line with each complete line written to it.
type lineSplitter struct {
	buf  []byte
	line func(string)
}

func (w *lineSplitter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.line(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
}

// terminate stops a fleet process gracefully (SIGTERM) and kills it if
// it has not exited within d.
func terminate(c *child, d time.Duration) {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(d):
		c.t.Errorf("fleet process %s did not stop within %v of SIGTERM; killed", c.name, d)
		c.kill()
	}
	if !c.state.Success() {
		c.t.Errorf("fleet process %s exited with %v after SIGTERM", c.name, c.state)
	}
}

// check verifies the outcome and logs the figures.
func (f *journalFleet) check() {
	t := f.t
	ctx := testkit.Context(t)
	if f.holdID != 0 {
		f.textOf[f.holdID] = fleetHoldText("r0")
	}
	lost := 0
	answerRepeats := map[string]int{} // message → answers beyond the first
	for c := range f.chats {
		want := make([]string, f.perChat)
		for i := range want {
			want[i] = fleetText(c, i)
		}
		lost += f.checkAnswers(fleetChat0+int64(c), want, answerRepeats)
	}
	lost += f.checkAnswers(fleetHoldChat, []string{fleetHoldText("r0")}, answerRepeats)
	nAnswerRepeats := 0
	for _, n := range answerRepeats {
		nAnswerRepeats += n
	}

	// Effects: one per message, except those done again after a kill.
	// The handler answers, then does the effect, then Once records it: an
	// effect done again was done by a run that was killed before Once
	// recorded it, so its answer is repeated too, by the run after it,
	// and a killed process leaves at most one such message per chat.
	repeats, err := f.rc.LRange(ctx, fleetRepeats, 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	effectRepeats := map[string]int{} // update id → effects beyond the first
	perChat := map[string]bool{}      // "<killed process> <chat>" with an effect done again
	for _, r := range repeats {
		parts := strings.Fields(r)
		if len(parts) != 3 {
			t.Fatalf("bad repeat record %q", r)
		}
		prev, _, _ := strings.Cut(parts[1], "/")
		again, _, _ := strings.Cut(parts[2], "/")
		id, _ := strconv.ParseInt(parts[0], 10, 64)
		text := f.textOf[id]
		chat, _, _ := strings.Cut(text, "-")
		switch {
		case !f.killed[prev] || prev == again:
			t.Errorf("update %d (%q): effect done again by run %s after run %s, whose process was not killed", id, text, parts[2], parts[1])
		case perChat[prev+" "+chat]:
			t.Errorf("update %d (%q): a second effect done again in chat %s after the kill of %s", id, text, chat, prev)
		}
		perChat[prev+" "+chat] = true
		effectRepeats[parts[0]]++
	}
	counts, err := f.rc.HGetAll(ctx, fleetEffects).Result()
	if err != nil {
		t.Fatal(err)
	}
	if lostEffects := f.total + 1 - len(counts); lostEffects != 0 {
		t.Errorf("%d messages without their effect", lostEffects)
	}
	for id, n := range counts {
		if want := strconv.Itoa(1 + effectRepeats[id]); n != want {
			t.Errorf("update %s: effect counter %s, want %s (1 and its recorded repeats)", id, n, want)
		}
		u, _ := strconv.ParseInt(id, 10, 64)
		if effectRepeats[id] > answerRepeats[f.textOf[u]] {
			t.Errorf("update %s (%q): effect done %d more times, answered %d more times: a repeated effect must come with a repeated answer",
				id, f.textOf[u], effectRepeats[id], answerRepeats[f.textOf[u]])
		}
	}

	logged := map[string]int{} // "<level> <message>" → lines, over the processes
	for _, c := range f.all {
		for l := range strings.Lines(c.out.tail(1 << 30)) {
			if strings.Contains(l, "FLEET: ") { // the processes report what the checks below cannot see
				t.Errorf("process %s: %s", c.name, strings.TrimSpace(l))
			}
			if _, rest, ok := strings.Cut(l, " level="); ok {
				level, rest, _ := strings.Cut(rest, " ")
				if _, msg, ok := strings.Cut(rest, "msg="); ok {
					if m, err := strconv.QuotedPrefix(msg); err == nil {
						msg = m
					} else {
						msg, _, _ = strings.Cut(msg, " ")
					}
					logged[level+" "+msg]++
				}
			}
		}
	}
	doubles, err := f.rc.LRange(ctx, fleetDoubles, 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(doubles) > 0 {
		t.Errorf("%d updates were in two journal entries (update, nonce, other nonce), e.g. %q", len(doubles), doubles[:min(5, len(doubles))])
	}
	entries, _ := f.rc.HLen(ctx, fleetEntries).Result()
	// The hold message was appended by the receiver that was killed, then
	// delivered again to the next one, which appended it again: its entry
	// must be the first receiver's.
	if nonce, err := f.rc.HGet(ctx, fleetEntries, strconv.FormatInt(f.holdID, 10)).Result(); err != nil || !strings.HasPrefix(nonce, "r0/") {
		t.Errorf("the hold message (update %d) came from entry %q (%v), want the killed receiver r0's", f.holdID, nonce, err)
	}
	j := f.store.Journal()
	n, err := j.Len(ctx)
	if err != nil || n != 0 {
		t.Errorf("journal length %d (%v), want 0", n, err)
	}
	js, err := j.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if js.DeadLetters != 0 {
		dead, _ := j.DeadLetters(ctx, 10)
		t.Errorf("%d dead letters, want none: %v", js.DeadLetters, deadSummary(dead))
	}
	st := f.stats()
	if want := int64(f.total + 1 + nAnswerRepeats); st.Requests["sendMessage"] != want {
		t.Errorf("%d sendMessage calls, want %d (one per answer seen)", st.Requests["sendMessage"], want)
	}
	if st.UpdatesConfirmed != int64(f.total+1) || st.UpdatesPending != 0 || st.UpdatesDropped != 0 {
		t.Errorf("emulator: %d updates confirmed, %d pending, %d dropped; want %d, 0, 0", st.UpdatesConfirmed, st.UpdatesPending, st.UpdatesDropped, f.total+1)
	}
	if lost > 0 {
		t.Errorf("%d messages lost", lost)
	}
	var rows, texts int
	if err := f.db.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT text) FROM effects`).Scan(&rows, &texts); err != nil {
		t.Fatal(err)
	}
	if rows != f.total || texts != f.total {
		t.Errorf("SQL effects (txonce): %d rows for %d distinct messages, want exactly one for each of %d", rows, texts, f.total)
	}
	t.Logf("%d messages over %d chats, 1 receiver + 3 workers on one Redis (appendfsync always), %d worker SIGKILLs every %v, 1 receiver SIGKILL, Redis down %v once: all handled in %.1f s (%.0f messages/s)",
		f.total, f.chats, f.kills, f.killEvery, f.outage, f.took.Seconds(), float64(f.total)/f.took.Seconds())
	t.Logf("SQL effects through txonce: %d rows, one per message", rows)
	t.Logf("lost %d; answered again %d, Redis effects done again %d (both only after a killed worker, in Once's window); answers resumed %v after Redis was back; emulator deliveries %d for %d updates (%d again: the killed receiver's unconfirmed batch, retries during the outage); entries handled for %d updates, none in two entries; journal length %d, dead letters %d",
		lost, nAnswerRepeats, len(repeats), f.resume.Round(time.Millisecond), st.UpdatesDelivered, f.total+1,
		st.UpdatesDelivered-int64(f.total+1), entries, n, js.DeadLetters)
	t.Logf("the processes logged (level, message: lines): %v", logged)
}

// checkAnswers checks the answers in chat against its messages, want,
// counts in repeats the answers that repeat a message, and returns how
// many messages were not answered. An answer may repeat the one just
// before it, by another process, when the process of that one was killed
// (it died after answering and before Once recorded it), once per killed
// process.
func (f *journalFleet) checkAnswers(chat int64, want []string, repeats map[string]int) (lost int) {
	t := f.t
	texts := f.w.botTexts(t, f.token, chat)
	next, last := 0, ""
	repeated := map[string]bool{}
	for _, text := range texts {
		msg, who, ok := strings.Cut(strings.TrimPrefix(text, "ack "), " #")
		if !ok || !strings.HasPrefix(text, "ack ") {
			t.Fatalf("chat %d: unexpected bot message %q", chat, text)
		}
		switch {
		case next < len(want) && msg == want[next]:
			next++
		case next > 0 && msg == want[next-1] && f.killed[last] && who != last && !repeated[last]:
			repeated[last] = true
			repeats[msg]++
		default:
			t.Fatalf("chat %d: answer %q after %d in-order answers (the last by %s): order broken, or a repeat not explained by a kill; answers: %v",
				chat, text, next, last, texts)
		}
		last = who
	}
	if next != len(want) {
		t.Errorf("chat %d: %d of %d messages answered", chat, next, len(want))
	}
	return len(want) - next
}

// deadSummary describes dead letters briefly.
func deadSummary(dead []backend.DeadLetter) []string {
	var out []string
	for _, d := range dead {
		out = append(out, fmt.Sprintf("update %d (%d deliveries): %s", d.Entry.UpdateID, d.Entry.Deliveries, d.Reason))
	}
	return out
}

// fleetRedis is a redis-server the test owns, persisting every write
// (appendonly, appendfsync always) in its own directory, so that it can
// be stopped and started again without losing anything.
type fleetRedis struct {
	t    *testing.T
	addr string
	port int
	dir  string
	cmd  *exec.Cmd
	done chan struct{}
	out  syncBuffer
}

func startFleetRedis(t *testing.T) *fleetRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		testkit.Missing(t, "install redis-server", "redis-server is not installed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	r := &fleetRedis{t: t, port: port, addr: "127.0.0.1:" + strconv.Itoa(port), dir: t.TempDir()}
	r.start()
	t.Cleanup(func() {
		if r.cmd != nil {
			_ = r.cmd.Process.Kill()
			<-r.done
		}
		if t.Failed() {
			t.Logf("redis-server output, last lines:\n%s", r.out.tail(2000))
		}
	})
	return r
}

// start runs redis-server on the port and data directory and waits
// until it answers PING (it has loaded its data).
func (r *fleetRedis) start() {
	t := r.t
	t.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--dir", r.dir,
		"--save", "", "--appendonly", "yes", "--appendfsync", "always")
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.out
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(r.cmd, r.done)
	rc := goredis.NewClient(&goredis.Options{Addr: r.addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer rc.Close()
	emutest.Until(t, 30*time.Second, "redis-server to answer PING", func() bool {
		select {
		case <-r.done:
			t.Fatalf("redis-server exited:\n%s", r.out.tail(2000))
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		return rc.Ping(ctx).Err() == nil
	})
}

// stop shuts redis-server down with SIGTERM, which makes it write its
// data, and waits for it to exit.
func (r *fleetRedis) stop() {
	t := r.t
	t.Helper()
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("redis-server did not stop within 30 s of SIGTERM:\n%s", r.out.tail(2000))
	}
	if !r.cmd.ProcessState.Success() {
		t.Errorf("redis-server exited with %v on SIGTERM:\n%s", r.cmd.ProcessState, r.out.tail(2000))
	}
	r.cmd = nil
}
