package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/jobs"
	"github.com/heraldbot/herald/tg"
)

func testLogger() *slog.Logger {
	if os.Getenv("JOBS_TEST_LOG") != "" {
		return slog.Default()
	}
	return slog.New(slog.DiscardHandler)
}

// noteArgs is a job that writes a note to a chat.
type noteArgs struct {
	ChatID int64  `json:"chat_id"`
	Text   string `json:"text"`
}

func (noteArgs) Kind() string { return "test_note" }

// TestInsertTxAndReplyThroughTheBot: a job inserted in a transaction
// with a business row exists only if the transaction commits; its worker
// replies to the chat with the bot's client, over HTTP to the emulator.
func TestInsertTxAndReplyThroughTheBot(t *testing.T) {
	engines(t, func(t *testing.T, cfg jobs.Config) {
		srv := emutest.Start(t, emulator.Options{Logger: emutest.Quiet()})
		token := "4242:jobs-test"
		if _, err := srv.Emu.AddBot(token); err != nil {
			t.Fatal(err)
		}
		bot, err := herald.New(token, srv.Client())
		if err != nil {
			t.Fatal(err)
		}
		ch := srv.Chat(t, token, tg.User{ID: 501, FirstName: "Ann"})
		ch.Send("/start")

		ctx := testkit.Context(t)
		cfg.Logger, cfg.PollInterval = testLogger(), 50*time.Millisecond
		c, err := jobs.New(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := jobs.Handle(c, func(ctx context.Context, j *jobs.Job[noteArgs]) error {
			_, err := j.Bot.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(j.Args.ChatID), Text: j.Args.Text})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		err = c.InTx(ctx, func(tx *jobs.Tx) error {
			if _, err := tx.Exec(ctx, "CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT NOT NULL)"); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "INSERT INTO notes (id, body) VALUES (?, ?)", 1, "kept"); err != nil {
				return err
			}
			_, err := c.InsertTx(ctx, tx, noteArgs{ChatID: 501, Text: "committed note"}, nil)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		rollback := errors.New("rolled back on purpose")
		err = c.InTx(ctx, func(tx *jobs.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO notes (id, body) VALUES (?, ?)", 2, "lost"); err != nil {
				return err
			}
			if _, err := c.InsertTx(ctx, tx, noteArgs{ChatID: 501, Text: "rolled-back note"}, nil); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatalf("InTx = %v, want the function's error", err)
		}
		if err := c.Start(ctx, bot.Client()); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := c.Stop(context.Background()); err != nil {
				t.Error(err)
			}
		}()
		ch.WaitFor("the committed note", func(e emulator.Entry) bool { return e.Sender == "bot" && e.Text == "committed note" })
		var n int
		if err := c.InTx(ctx, func(tx *jobs.Tx) error {
			return tx.QueryRow(ctx, "SELECT count(*) FROM notes").Scan(&n)
		}); err != nil || n != 1 {
			t.Fatalf("notes: %d (%v), want 1", n, err)
		}
		rows, err := c.List(ctx, jobs.ListParams{Kinds: []string{"test_note"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 {
			t.Fatalf("%d jobs, want 1 (the rolled-back one must not exist)", len(rows))
		}
		for _, e := range ch.BotMessages() {
			if e.Text == "rolled-back note" {
				t.Fatal("the rolled-back job ran")
			}
		}
	})
}

// flakyArgs fails its first Fails attempts.
type flakyArgs struct {
	Name  string `json:"name"`
	Fails int    `json:"fails"`
}

func (flakyArgs) Kind() string { return "test_flaky" }

// quickRetry retries after 20 ms × the attempt: back-off without the wait.
type quickRetry struct{}

func (quickRetry) NextRetry(j *rivertype.JobRow) time.Time {
	return time.Now().Add(time.Duration(j.Attempt) * 20 * time.Millisecond)
}

// TestRetriesThenDiscardsThenRetryByHand: a failing job runs again with
// back-off until it succeeds; one that fails all its attempts is
// discarded, listed as such, and Retry runs it once more.
func TestRetriesThenDiscardsThenRetryByHand(t *testing.T) {
	engines(t, func(t *testing.T, cfg jobs.Config) {
		cfg.Retry = quickRetry{}
		var mu sync.Mutex
		runs := map[string]int{}
		healed := atomic.Bool{}
		c := startClient(t, cfg, func(c *jobs.Client) {
			if err := jobs.Handle(c, func(ctx context.Context, j *jobs.Job[flakyArgs]) error {
				mu.Lock()
				runs[j.Args.Name]++
				n := runs[j.Args.Name]
				mu.Unlock()
				if n <= j.Args.Fails && !healed.Load() {
					return errors.New("failing on purpose, attempt " + strconv.Itoa(n))
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		})
		ctx := testkit.Context(t)
		ok, err := c.Insert(ctx, flakyArgs{Name: "recovers", Fails: 2}, nil)
		if err != nil {
			t.Fatal(err)
		}
		dead, err := c.Insert(ctx, flakyArgs{Name: "dies", Fails: 100}, &river.InsertOpts{MaxAttempts: 2})
		if err != nil {
			t.Fatal(err)
		}
		until(t, 30*time.Second, "the flaky job to complete", func() bool {
			row, err := c.Get(ctx, ok.Job.ID)
			return err == nil && row.State == rivertype.JobStateCompleted
		})
		if row, _ := c.Get(ctx, ok.Job.ID); row.Attempt != 3 || len(row.Errors) != 2 {
			t.Errorf("the flaky job completed at attempt %d with %d errors, want 3 and 2", row.Attempt, len(row.Errors))
		}
		until(t, 30*time.Second, "the failing job to be discarded", func() bool {
			row, err := c.Get(ctx, dead.Job.ID)
			return err == nil && row.State == rivertype.JobStateDiscarded
		})
		failed, err := c.List(ctx, jobs.ListParams{States: []jobs.State{rivertype.JobStateDiscarded}})
		if err != nil || len(failed) != 1 || failed[0].ID != dead.Job.ID {
			t.Fatalf("discarded jobs %v (%v), want the failing one", failed, err)
		}
		healed.Store(true)
		if _, err := c.Retry(ctx, dead.Job.ID); err != nil {
			t.Fatal(err)
		}
		until(t, 30*time.Second, "the retried job to complete", func() bool {
			row, err := c.Get(ctx, dead.Job.ID)
			return err == nil && row.State == rivertype.JobStateCompleted
		})
		if _, err := c.Retry(ctx, 987654321); !errors.Is(err, jobs.ErrNotFound) {
			t.Errorf("Retry of an unknown job = %v, want ErrNotFound", err)
		}
	})
}

// TestUniqueAndScheduled: a unique job inserted twice exists once; a
// job scheduled for later does not run before its time, and runs after.
func TestUniqueAndScheduled(t *testing.T) {
	engines(t, func(t *testing.T, cfg jobs.Config) {
		var ran sync.Map
		c := startClient(t, cfg, func(c *jobs.Client) {
			if err := jobs.Handle(c, func(ctx context.Context, j *jobs.Job[noteArgs]) error {
				ran.Store(j.ID, time.Now())
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		})
		ctx := testkit.Context(t)
		at := time.Now().Add(1500 * time.Millisecond)
		opts := &river.InsertOpts{ScheduledAt: at, UniqueOpts: river.UniqueOpts{ByArgs: true}}
		first, err := c.Insert(ctx, noteArgs{ChatID: 7, Text: "remind"}, opts)
		if err != nil {
			t.Fatal(err)
		}
		second, err := c.Insert(ctx, noteArgs{ChatID: 7, Text: "remind"}, opts)
		if err != nil {
			t.Fatal(err)
		}
		if first.UniqueSkippedAsDuplicate || !second.UniqueSkippedAsDuplicate || second.Job.ID != first.Job.ID {
			t.Fatalf("unique insert: first skipped=%v, second skipped=%v (ids %d, %d); want one job", first.UniqueSkippedAsDuplicate, second.UniqueSkippedAsDuplicate, first.Job.ID, second.Job.ID)
		}
		if first.Job.State != rivertype.JobStateScheduled {
			t.Fatalf("state %s, want scheduled", first.Job.State)
		}
		// River's scheduler makes due jobs available every 5 s.
		until(t, 20*time.Second, "the scheduled job to run", func() bool { _, ok := ran.Load(first.Job.ID); return ok })
		v, _ := ran.Load(first.Job.ID)
		if got := v.(time.Time); got.Before(at) {
			t.Errorf("the scheduled job ran at %v, before its time %v", got, at)
		}
	})
}

// cpuArgs is a CPU-heavy job: its args send it to QueueCPU.
type cpuArgs struct {
	N int `json:"n"`
}

func (cpuArgs) Kind() string                 { return "test_cpu" }
func (cpuArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueCPU} }

// TestCPUQueueIsBounded: no more CPU jobs run at once than CPUWorkers.
func TestCPUQueueIsBounded(t *testing.T) {
	engines(t, func(t *testing.T, cfg jobs.Config) {
		cfg.CPUWorkers = 2
		var running, most, done atomic.Int64
		c := startClient(t, cfg, func(c *jobs.Client) {
			if err := jobs.Handle(c, func(ctx context.Context, j *jobs.Job[cpuArgs]) error {
				n := running.Add(1)
				for {
					m := most.Load()
					if n <= m || most.CompareAndSwap(m, n) {
						break
					}
				}
				time.Sleep(100 * time.Millisecond) // stands for work
				running.Add(-1)
				done.Add(1)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		})
		ctx := testkit.Context(t)
		for i := range 8 {
			if _, err := c.Insert(ctx, cpuArgs{N: i}, nil); err != nil {
				t.Fatal(err)
			}
		}
		until(t, 30*time.Second, "8 CPU jobs", func() bool { return done.Load() == 8 })
		if m := most.Load(); m > 2 {
			t.Errorf("%d CPU jobs ran at once, want at most CPUWorkers=2", m)
		}
		rows, err := c.List(ctx, jobs.ListParams{Kinds: []string{"test_cpu"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Queue != jobs.QueueCPU {
				t.Errorf("job %d in queue %q, want %q", r.ID, r.Queue, jobs.QueueCPU)
			}
		}
	})
}

// tickArgs is a periodic job.
type tickArgs struct{}

func (tickArgs) Kind() string { return "test_tick" }

// TestPeriodic: a periodic job is inserted and run again and again.
func TestPeriodic(t *testing.T) {
	engines(t, func(t *testing.T, cfg jobs.Config) {
		var ticks atomic.Int64
		startClient(t, cfg, func(c *jobs.Client) {
			if err := jobs.Handle(c, func(ctx context.Context, j *jobs.Job[tickArgs]) error {
				ticks.Add(1)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if err := c.Periodic("tick", 300*time.Millisecond, func() (river.JobArgs, *river.InsertOpts) {
				return tickArgs{}, nil
			}, true); err != nil {
				t.Fatal(err)
			}
		})
		until(t, 30*time.Second, "3 ticks", func() bool { return ticks.Load() >= 3 })
	})
}

// TestConfigErrors: New refuses a config without exactly one database.
func TestConfigErrors(t *testing.T) {
	ctx := testkit.Context(t)
	if _, err := jobs.New(ctx, jobs.Config{}); err == nil {
		t.Error("New without a database succeeded")
	}
	db := openSQLite(t, t.TempDir()+"/x.db")
	if _, err := jobs.New(ctx, jobs.Config{SQLite: db, Queues: map[string]int{jobs.QueueCPU: 1}}); err == nil {
		t.Error("New redefining the CPU queue succeeded")
	}
	if _, err := jobs.New(ctx, jobs.Config{SQLite: db, JobTimeout: time.Hour, RescueAfter: time.Minute}); err == nil {
		t.Error("New with RescueAfter < JobTimeout succeeded")
	}
}
