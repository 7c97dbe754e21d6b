package herald_test

// The bot processes of the journal tests (journal_kill_test.go): the test
// binary re-runs itself as a bot (TestJournalChildProcess) that long-polls
// the parent's emulator over HTTP with the SQLite journal of a file that
// every process of a test opens in turn, so that a test can SIGKILL or
// SIGTERM it and start the next one on the same file. The child type and
// its kill and stop come from delivery_harness_test.go.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/source"
)

// Environment of a journal bot process.
const (
	envJournalChild  = "HERALD_JOURNAL_CHILD"      // set (to "echo") in a journal bot process
	envJournalToken  = "HERALD_JOURNAL_TOKEN"      // the bot's token
	envJournalFile   = "HERALD_JOURNAL_FILE"       // the SQLite file of the bot's backend and journal
	envJournalName   = "HERALD_JOURNAL_NAME"       // the process's name, written into its answers
	envJournalWorkMS = "HERALD_JOURNAL_WORK_MS"    // how long each handler sleeps before answering (default 0)
	envJournalLease  = "HERALD_JOURNAL_LEASE_MS"   // the journal's partition lease (default: the bot's default)
	envJournalQueue  = "HERALD_JOURNAL_QUEUE"      // the scheduler's bound on queued updates (default: the bot's default)
	envJournalDebug  = "HERALD_JOURNAL_DEBUG"      // set: the children log at debug level, the parent prints their output
	envJournalTrace  = "HERALD_JOURNAL_TRACE"      // set: the file the process writes its spans to (trace_test.go)
	journalAnswer    = "ack "                      // an answer is "ack <text> #<process name>"
	journalChildRun  = "^TestJournalChildProcess$" // the child's -test.run
)

// journalRun is the set-up shared by the processes of one journal test:
// the emulator, a bot token and the SQLite file.
type journalRun struct {
	t     *testing.T
	w     *world
	token string
	file  string
}

func newJournalRun(t *testing.T, token string) *journalRun {
	t.Helper()
	return &journalRun{t: t, w: newWorld(t), token: token, file: t.TempDir() + "/bot.db"}
}

// open opens the run's SQLite file in the test process, to look at the
// journal the bot processes share; it is closed when the test ends.
func (r *journalRun) open() *sqlite.Store {
	r.t.Helper()
	s, err := sqlite.Open(context.Background(), r.file, sqlite.Options{Logger: quiet()})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { _ = s.Close() })
	if s.Journal() == nil {
		r.t.Fatal("sqlite.Store.Journal() is nil: the SQLite journal is not there")
	}
	return s
}

// start runs a bot process named name; extraEnv adds settings
// (envJournalWorkMS, envJournalLease, envJournalQueue). It is killed when the test ends.
func (r *journalRun) start(name string, extraEnv ...string) *child {
	t := r.t
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run="+journalChildRun, "-test.count=1", "-test.timeout=10m")
	for _, kv := range os.Environ() {
		// The parent's own HERALD_* settings stay out, but for the debug
		// switch.
		if !strings.HasPrefix(kv, "HERALD_") || strings.HasPrefix(kv, envJournalDebug+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, envJournalChild+"=echo", envJournalToken+"="+r.token, envJournalFile+"="+r.file,
		envJournalName+"="+name, herald.EnvAPIURL+"="+r.w.URL)
	cmd.Env = append(cmd.Env, extraEnv...)
	c := &child{t: t, name: name, cmd: cmd, done: make(chan struct{})}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.stdin = stdin
	cmd.Stdout, cmd.Stderr = &c.out, &c.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = cmd.Wait()
		c.state = cmd.ProcessState
		close(c.done)
	}()
	t.Cleanup(func() {
		c.kill()
		if t.Failed() || os.Getenv(envJournalDebug) != "" {
			t.Logf("output of bot process %s (%v), last lines:\n%s", c.name, c.state, c.out.tail(3000))
		}
	})
	return c
}

// TestJournalChildProcess is a bot process of the journal tests; it does
// nothing when run on its own. It long-polls with WithBackend on the
// SQLite file envJournalFile, so its updates go through that file's
// journal, and answers every message "ack <text> #<name>" after sleeping
// envJournalWorkMS. It runs until SIGTERM or SIGINT (RunWithSignals: a
// graceful stop), until its stdin closes (the same), or until it is
// killed.
func TestJournalChildProcess(t *testing.T) {
	if os.Getenv(envJournalChild) == "" {
		t.Skip("a helper process of the journal tests (journal_kill_test.go)")
	}
	name := os.Getenv(envJournalName)
	work := envMillis(t, envJournalWorkMS)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // the parent closed stdin (or died): stop
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	level := slog.LevelWarn
	if os.Getenv(envJournalDebug) != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	store, err := sqlite.Open(ctx, os.Getenv(envJournalFile), sqlite.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	opts := []herald.Option{
		herald.WithLogger(log), herald.WithoutLimiter(), herald.WithErrorReply(""),
		herald.WithPolling(source.PollerConfig{Timeout: time.Second, Logger: log}),
		herald.WithBackend(store), // its journal too, unless the lease is set below
		herald.WithErrorHandler(func(c *herald.Context, err error) {
			log.Error("HANDLER ERROR", "update_id", c.Update.UpdateID, "err", err)
		}),
	}
	if lease := envMillis(t, envJournalLease); lease > 0 {
		opts = append(opts, herald.WithJournal(store.Journal(), herald.JournalConfig{Lease: lease}))
	}
	if f := os.Getenv(envJournalTrace); f != "" {
		tp := fileTracer(t, f, name)
		defer tp.Shutdown(context.Background())
		opts = append(opts, herald.WithTracerProvider(tp))
	}
	if n := os.Getenv(envJournalQueue); n != "" {
		opts = append(opts, herald.WithConcurrency(0, envInt(t, envJournalQueue, 1)))
	}
	b, err := herald.New(os.Getenv(envJournalToken), append(opts, herald.ConfigFromEnv())...)
	if err != nil {
		t.Fatal(err)
	}
	if b.Journal() == nil {
		t.Fatal("the bot has no journal: WithBackend(sqlite store) should give it the store's")
	}
	b.Router().Message(func(c *herald.Context) error {
		if work > 0 {
			time.Sleep(work)
		}
		_, err := c.Reply(journalAnswer + c.Text() + " #" + name)
		return err
	})
	if err := b.RunWithSignals(ctx); err != nil {
		t.Fatal(err)
	}
}

// envMillis reads a setting in milliseconds: 0 when it is not set.
func envMillis(t *testing.T, name string) time.Duration {
	t.Helper()
	if os.Getenv(name) == "" {
		return 0
	}
	return time.Duration(envInt(t, name, 1)) * time.Millisecond
}

// journalAnswers checks the answers of the processes named "g<n>" in the
// chats of msgs (chat id → its messages in the order sent): every message
// answered, in order. A message may be answered again only right after
// its first answer, by a later process (the one before was killed after
// its answer went out and before the update's claim was finished), and a
// killed process leaves at most one such repeat per chat. It returns the
// messages lost and the repeats by process; it fails the test at once on
// anything else (an unknown answer, order broken, a repeat not explained
// by a kill).
func (r *journalRun) journalAnswers(msgs map[int64][]string) (lost int, dups map[int]int) {
	t := r.t
	t.Helper()
	dups = map[int]int{}
	for chat, want := range msgs {
		texts := r.w.botTexts(t, r.token, chat)
		next, last := 0, -1        // the next message expected; the process of the last answer
		repeated := map[int]bool{} // processes with a repeat in this chat
		for _, text := range texts {
			msg, who, ok := strings.Cut(strings.TrimPrefix(text, journalAnswer), " #g")
			g, err := strconv.Atoi(who)
			if !ok || err != nil || !strings.HasPrefix(text, journalAnswer) {
				t.Fatalf("chat %d: unexpected bot message %q", chat, text)
			}
			switch {
			case next < len(want) && msg == want[next]:
				next++
			case next > 0 && msg == want[next-1] && g > last && !repeated[last]:
				repeated[last] = true
				dups[last]++
			default:
				t.Fatalf("chat %d: answer %q after %d answers in order (the last by g%d): order broken, or a repeat no kill explains; answers: %v",
					chat, text, next, last, texts)
			}
			last = g
		}
		if next < len(want) {
			t.Errorf("chat %d: %d of %d messages answered", chat, next, len(want))
			lost += len(want) - next
		}
	}
	return lost, dups
}

// journalDrained reports whether the journal holds nothing: every entry
// acknowledged and none in the dead letters (which fails the test).
func journalDrained(t *testing.T, j backend.Journal) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := j.Stats(ctx)
	if err != nil {
		t.Logf("journal stats: %v", err) // the file is busy: ask again later
		return false
	}
	if st.DeadLetters > 0 {
		dl, _ := j.DeadLetters(ctx, 5)
		t.Fatalf("%d updates in the dead letters, e.g. %+v", st.DeadLetters, dl)
	}
	for _, p := range st.Partitions {
		if p.Length > 0 {
			return false
		}
	}
	return true
}

// sumDups adds the repeats of every process.
func sumDups(dups map[int]int) int {
	n := 0
	for _, d := range dups {
		n += d
	}
	return n
}

// chatMessages returns the texts chat c is sent, perChat of them: "c<c>-m<i>".
func chatMessages(c, perChat int) []string {
	out := make([]string, perChat)
	for i := range out {
		out[i] = fmt.Sprintf("c%02d-m%05d", c, i)
	}
	return out
}
