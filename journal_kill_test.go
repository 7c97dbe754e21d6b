package herald_test

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
)

// TestJournalKillNine: one bot process at a time long-polls the emulator
// with WithBackend on one SQLite file, so every update goes through the
// file's journal (the default with WithBackend): the poller appends each
// getUpdates batch and confirms it at once, the worker handles the
// entries of its partitions and acknowledges each after its answer.
// While the messages arrive over 50 chats, the test SIGKILLs the process
// every 2 s and starts a new one on the same file. In the end every
// update was confirmed to the emulator and every message answered (none
// lost), each chat's answers in the order of its messages, the journal is
// empty with no dead letters, and each update was fetched about once
// (at most one batch of 100 again per kill: the batch a process had
// appended without confirming it yet). A message is answered twice only
// in the window the update claims leave: the process was killed after its
// sendMessage went out and before the claim was finished; a later
// process then answers it again right after the first answer, at most
// once per chat per killed process. Anything else fails.
//
// HERALD_JOURNAL_KILL_MESSAGES sets the number of messages (default
// 20,000, about 45 s on a 2-core machine; 5,000 under the race detector),
// HERALD_JOURNAL_KILL_COUNT the least number of kills (default 10: the
// messages arrive over that many kill periods), HERALD_JOURNAL_KILL_EVERY_MS
// the kill period (default 2,000), HERALD_JOURNAL_KILL_TIMEOUT_S the
// bound on the whole run (default 240) and HERALD_JOURNAL_KILL_LEASE_MS
// the journal's lease (default: herald's, 5 s). With the default lease a
// process started after a kill waits for the dead one's leases and
// membership to run out (up to 5 s), so with kills every 2 s about every
// other process answers nothing: the log line shows the answers of each.
func TestJournalKillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("kills bot processes for a while")
	}
	total := envInt(t, "HERALD_JOURNAL_KILL_MESSAGES", 20_000/journalScale)
	killEvery := time.Duration(envInt(t, "HERALD_JOURNAL_KILL_EVERY_MS", 2000)) * time.Millisecond
	timeout := time.Duration(envInt(t, "HERALD_JOURNAL_KILL_TIMEOUT_S", 240)) * time.Second
	var env []string
	if lease := envMillis(t, "HERALD_JOURNAL_KILL_LEASE_MS"); lease > 0 {
		env = append(env, envJournalLease+"="+strconv.FormatInt(lease.Milliseconds(), 10))
	}
	const chats = 50
	minKills := envInt(t, "HERALD_JOURNAL_KILL_COUNT", 10)
	perChat := (total + chats - 1) / chats
	total = perChat * chats
	sendFor := time.Duration(minKills) * killEvery // the messages arrive while the kills happen
	deadline := time.Now().Add(timeout)
	r := newJournalRun(t, "7410:journal-kill")
	j := r.open().Journal() // creates the file; the test watches the journal
	chatID := func(c int) int64 { return int64(6000 + c) }
	msgs := make(map[int64][]string, chats)
	for c := range chats {
		msgs[chatID(c)] = chatMessages(c, perChat)
	}

	// The users write at a steady rate over sendFor, message k going to
	// chat k mod chats: each chat's messages in order, chats interleaved.
	var sent atomic.Int64
	sendErr := make(chan error, 1)
	go func() {
		defer close(sendErr)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		start := time.Now()
		for k := 0; k < total; <-tick.C {
			due := min(total, 1+int(int64(time.Since(start))*int64(total)/int64(sendFor)))
			for ; k < due; k++ {
				to := chatID(k % chats)
				if _, err := r.w.Emu.SendMessage(context.Background(), emulator.UserMessage{Token: r.token, From: user(to), Text: msgs[to][k/chats]}); err != nil {
					sendErr <- err
					return
				}
				sent.Add(1)
			}
		}
	}()
	stats := func() emulator.Stats {
		st, _ := r.w.Emu.Stats(r.token) // zero before the first request
		return st
	}
	progress := func() string {
		st := stats()
		return fmt.Sprintf("%d/%d messages sent, %d answers sent, %d updates confirmed, %d pending at the emulator",
			sent.Load(), total, st.Requests["sendMessage"], st.UpdatesConfirmed, st.UpdatesPending)
	}

	begin := time.Now()
	gen := 0
	cur := r.start("g0", env...)
	var answeredAtKill []int64 // answers sent when each process was killed
	for gen < minKills || sent.Load() < int64(total) {
		time.Sleep(killEvery) // the kill schedule, not an assertion
		if time.Now().After(deadline) {
			t.Fatalf("not done within %v (%d kills): %s", timeout, gen, progress())
		}
		cur.kill()
		answeredAtKill = append(answeredAtKill, stats().Requests["sendMessage"])
		gen++
		cur = r.start("g"+strconv.Itoa(gen), env...)
	}
	if err := <-sendErr; err != nil {
		t.Fatal(err)
	}
	kills := gen
	lastKill := time.Now()
	for {
		st := stats()
		if st.UpdatesConfirmed >= int64(total) && st.UpdatesPending == 0 && journalDrained(t, j) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not every update handled within %v (%d kills): %s", timeout, kills, progress())
		}
		time.Sleep(100 * time.Millisecond)
	}
	tail := time.Since(lastKill)
	took := time.Since(begin)
	cur.stop(30 * time.Second)

	lost, dupsOf := r.journalAnswers(msgs)
	dups := sumDups(dupsOf)
	st := stats()
	perProcess := make([]int64, len(answeredAtKill))
	for i, n := range answeredAtKill {
		perProcess[i] = n
		if i > 0 {
			perProcess[i] -= answeredAtKill[i-1]
		}
	}
	t.Logf("%d messages over %d chats, %d SIGKILLs every %v: all handled and confirmed in %.1f s (%.0f messages/s), %.1f s after the last kill; lost %d, answered twice %d (by killed process: %v); answers by each killed process %v; sendMessage calls %d, getUpdates calls %d, updates delivered %d (%d fetched again)",
		total, chats, kills, killEvery, took.Seconds(), float64(total)/took.Seconds(), tail.Seconds(),
		lost, dups, dupsOf, perProcess, st.Requests["sendMessage"], st.Requests["getUpdates"],
		st.UpdatesDelivered, st.UpdatesDelivered-int64(total))
	if lost > 0 {
		t.Errorf("%d messages lost", lost)
	}
	if want := int64(total + dups); st.Requests["sendMessage"] != want {
		t.Errorf("%d sendMessage calls, want %d (one per answer seen)", st.Requests["sendMessage"], want)
	}
	if st.UpdatesConfirmed != int64(total) || st.UpdatesDropped != 0 {
		t.Errorf("%d updates confirmed and %d dropped, want %d and 0", st.UpdatesConfirmed, st.UpdatesDropped, total)
	}
	// A process confirms each batch with its next getUpdates, once the
	// batch is in the journal: a kill leaves at most the one batch it was
	// working on unconfirmed, fetched again by the next process.
	if limit := int64(total + 100*kills); st.UpdatesDelivered > limit {
		t.Errorf("%d updates delivered by getUpdates, more than the %d messages plus a batch of 100 per kill (%d)",
			st.UpdatesDelivered, total, limit)
	}
}

// TestJournalGracefulStopHandsOver: a bot process with the SQLite journal
// stopped by SIGTERM in the middle of a backlog exits cleanly, having
// confirmed every update it received, finished what it was handling and
// given its partitions and its membership up; the next process on the
// file takes everything over at once (well before the journal lease of
// 120 s, set long so that a take-over waiting for it would fail the test)
// and answers the rest: nothing lost, nothing answered twice, every
// chat in order.
func TestJournalGracefulStopHandsOver(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bot processes")
	}
	const chats, perChat = 10, 150
	const total = chats * perChat
	r := newJournalRun(t, "7420:journal-term")
	j := r.open().Journal()
	ctx := context.Background()
	msgs := make(map[int64][]string, chats)
	for c := range chats {
		msgs[int64(6100+c)] = chatMessages(c, perChat)
	}
	// Every message waits at the emulator before the first process starts.
	for i := range perChat {
		for c := range chats {
			if _, err := r.w.Emu.SendMessage(ctx, emulator.UserMessage{Token: r.token, From: user(int64(6100 + c)), Text: msgs[int64(6100+c)][i]}); err != nil {
				t.Fatal(err)
			}
		}
	}
	answers := func() int64 {
		st, _ := r.w.Emu.Stats(r.token)
		return st.Requests["sendMessage"]
	}
	// 20 ms a message and at most 20 queued in the scheduler: the journal
	// keeps the backlog, and a graceful stop has little to drain.
	env := []string{envJournalWorkMS + "=20", envJournalLease + "=120000", envJournalQueue + "=20"}
	first := r.start("g0", env...)
	emutest.Until(t, 60*time.Second, "the first process to answer 200 messages", func() bool { return answers() >= 200 })
	if err := first.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-first.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the process did not stop within 30 s of SIGTERM")
	}
	if !first.state.Success() {
		t.Fatalf("the process stopped by SIGTERM exited with %v", first.state)
	}
	byFirst := answers()
	st, err := r.w.Emu.Stats(r.token)
	if err != nil {
		t.Fatal(err)
	}
	if st.UpdatesConfirmed != total || st.UpdatesPending != 0 {
		t.Errorf("after the graceful stop %d updates confirmed and %d pending at the emulator, want %d and 0: the journal takes them all at once",
			st.UpdatesConfirmed, st.UpdatesPending, total)
	}
	js, err := j.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	left, pending := int64(0), int64(0)
	for _, p := range js.Partitions {
		left += p.Length
		pending += p.Pending
		if p.Owner != "" {
			t.Errorf("partition %d still owned by %q after the graceful stop", p.Partition, p.Owner)
		}
	}
	if workers, err := j.(backend.JournalWorkers).Workers(ctx); err != nil || len(workers) != 0 {
		t.Errorf("workers after the graceful stop: %v (err %v), want none", workers, err)
	}
	if left == 0 {
		t.Fatalf("the first process handled everything (%d answers) before it was stopped: nothing to hand over", byFirst)
	}

	begin := time.Now()
	next := r.start("g1", env...)
	emutest.Until(t, 90*time.Second, "the next process to answer the rest", func() bool { return journalDrained(t, j) })
	took := time.Since(begin)
	next.stop(30 * time.Second)
	lost, dups := r.journalAnswers(msgs)
	t.Logf("%d messages: %d answered before SIGTERM, %d left in the journal (%d delivered and not acknowledged), the rest answered by the next process in %.1f s; lost %d, answered twice %v",
		total, byFirst, left, pending, took.Seconds(), lost, dups)
	if n := sumDups(dups); n > 0 {
		t.Errorf("%d messages answered twice after a graceful stop", n)
	}
	if n := answers(); n != total {
		t.Errorf("%d sendMessage calls, want %d", n, total)
	}
}

// TestJournalCrashLoopKeepsBacklog: a bot that keeps crashing while a
// deep backlog waits must not lose the updates it never got to. 3,000
// messages wait over 50 chats (200 ms of work each: 12 s per chat); six
// processes in turn take every partition of the journal, answer the next
// message of each chat or so, and are SIGKILLed; then a seventh runs to
// the end. Each process read far more than it handled: every entry read
// counts a delivery; if every next owner's Reclaim counted another for
// every entry still unacknowledged, after five owners the entries that no
// handler ever started would reach MaxDeliveries (5) and go to the dead
// letters, as if each had killed its worker, and the chats would go on
// past them: messages lost, order broken. Reclaim counts a delivery only
// for each chat's oldest entry, the only one a handler may have started,
// so nothing is lost.
func TestJournalCrashLoopKeepsBacklog(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bot processes for a minute")
	}
	const chats, perChat, cycles = 50, 60, 6
	r := newJournalRun(t, "7450:journal-loop")
	j := r.open().Journal()
	msgs := make(map[int64][]string, chats)
	for c := range chats {
		msgs[int64(6200+c)] = chatMessages(c, perChat)
	}
	for i := range perChat {
		for c := range chats {
			m := emulator.UserMessage{Token: r.token, From: user(int64(6200 + c)), Text: msgs[int64(6200+c)][i]}
			if _, err := r.w.Emu.SendMessage(context.Background(), m); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The owner of every partition, when one process owns them all.
	owner := func() string {
		st, err := j.Stats(context.Background())
		if err != nil || len(st.Partitions) == 0 {
			return ""
		}
		o := st.Partitions[0].Owner
		for _, p := range st.Partitions {
			if p.Owner != o {
				return ""
			}
		}
		return o
	}
	answers := func() int64 {
		st, _ := r.w.Emu.Stats(r.token)
		return st.Requests["sendMessage"]
	}
	env := []string{envJournalWorkMS + "=200"}
	prev := ""
	for g := range cycles {
		c := r.start("g"+strconv.Itoa(g), env...)
		emutest.Until(t, 60*time.Second, "the process to own every partition", func() bool {
			o := owner()
			return o != "" && o != prev
		})
		prev = owner()
		n := answers()
		emutest.Until(t, 60*time.Second, "the process to answer a message per chat", func() bool { return answers() >= n+chats })
		c.kill()
	}
	last := r.start("g" + strconv.Itoa(cycles))
	emutest.Until(t, 120*time.Second, "the journal to be empty", func() bool {
		st, err := j.Stats(context.Background())
		if err != nil {
			return false
		}
		n := st.DeadLetters
		for _, p := range st.Partitions {
			n += p.Length
		}
		return n == 0 || (st.DeadLetters > 0 && n == st.DeadLetters)
	})
	last.stop(30 * time.Second)
	st, err := j.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.DeadLetters > 0 {
		dl, _ := j.DeadLetters(context.Background(), 3)
		for _, d := range dl {
			t.Logf("dead letter: update %d of chat %d, %d deliveries: %s", d.Entry.UpdateID, d.Entry.Key, d.Entry.Deliveries, d.Reason)
		}
		t.Errorf("%d updates in the dead letters after %d crashes, most of them never handed to a handler", st.DeadLetters, cycles)
	}
	lost, dups := r.journalAnswers(msgs)
	t.Logf("%d messages, %d processes killed once they owned every partition: lost %d, dead letters %d, answered twice %v",
		chats*perChat, cycles, lost, st.DeadLetters, dups)
}
