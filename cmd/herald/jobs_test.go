package main

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/heraldbot/herald/internal/pgtest"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/jobs"
)

// cliJobArgs is a job of the CLI's tests: it fails while Fail is set.
type cliJobArgs struct {
	Fail bool `json:"fail"`
	N    int  `json:"n"`
}

func (cliJobArgs) Kind() string { return "cli_test" }

// prepareJobs leaves in cfg's database one failed (discarded) job, one
// completed, and one scheduled for later, and returns their ids.
func prepareJobs(t *testing.T, cfg jobs.Config) (failed, done, later int64) {
	t.Helper()
	ctx := testkit.Context(t)
	cfg.Logger, cfg.PollInterval = slogDiscard(), 50*time.Millisecond
	c, err := jobs.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := jobs.Handle(c, func(ctx context.Context, j *jobs.Job[cliJobArgs]) error {
		if j.Args.Fail {
			return errors.New("printer on fire")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx, nil); err != nil {
		t.Fatal(err)
	}
	ins := func(a cliJobArgs, o *river.InsertOpts) int64 {
		res, err := c.Insert(ctx, a, o)
		if err != nil {
			t.Fatal(err)
		}
		return res.Job.ID
	}
	failed = ins(cliJobArgs{Fail: true, N: 1}, &river.InsertOpts{MaxAttempts: 1})
	done = ins(cliJobArgs{N: 2}, nil)
	later = ins(cliJobArgs{N: 3}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})
	deadline := time.Now().Add(30 * time.Second)
	for {
		f, err1 := c.Get(ctx, failed)
		d, err2 := c.Get(ctx, done)
		if err1 == nil && err2 == nil && f.State == rivertype.JobStateDiscarded && d.State == rivertype.JobStateCompleted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs not finished after 30 s: %v %v", f, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	return failed, done, later
}

// checkJobsCommands runs herald jobs list and retry against a prepared
// database (open: the flags that name it).
func checkJobsCommands(t *testing.T, failed, done, later int64, open ...string) {
	t.Helper()
	run := func(args ...string) string {
		t.Helper()
		out, err := runCmd(t, append(append([]string{"jobs"}, open...), args...)...)
		if err != nil {
			t.Fatalf("jobs %v: %v\n%s", args, err, out)
		}
		return out
	}
	id := itoa
	out := run() // queued, running, failed
	for _, re := range []string{
		`(?m)^ID +STATE +KIND +QUEUE +ATTEMPTS +WHEN +LAST ERROR$`,
		`(?m)^` + id(failed) + ` +discarded +cli_test +default +1/1 +ended .* +printer on fire$`,
		`(?m)^` + id(later) + ` +scheduled +cli_test +default +0/25 +in (59m\d+s|1h0m0s)`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Fatalf("jobs lacks %s:\n%s", re, out)
		}
	}
	if strings.Contains(out, "completed") {
		t.Fatalf("jobs lists a completed job by default:\n%s", out)
	}
	var list []jobJSON
	if err := json.Unmarshal([]byte(run("list", "--state", "failed", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != failed || list[0].State != "discarded" || list[0].LastError != "printer on fire" || !strings.Contains(strings.Join(strings.Fields(string(list[0].Args)), ""), `"n":1`) {
		t.Fatalf("list --state failed --json: %+v", list)
	}
	if out := run("list", "--state", "completed", "--kind", "cli_test"); !regexp.MustCompile(`(?m)^` + id(done) + ` +completed`).MatchString(out) {
		t.Fatalf("list --state completed:\n%s", out)
	}
	if out := run("retry", itoa(failed)); !strings.Contains(out, "job "+itoa(failed)+" (cli_test) is available again") {
		t.Fatalf("retry: %s", out)
	}
	if out := run("list", "--state", "queued", "--json"); !strings.Contains(out, `"state": "available"`) {
		t.Fatalf("the retried job is not queued:\n%s", out)
	}
	out, err := runCmd(t, append(append([]string{"jobs"}, open...), "retry", "987654")...)
	if err == nil || !strings.Contains(err.Error(), "no such job") {
		t.Fatalf("retry of an unknown job: %v\n%s", err, out)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func slogDiscard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestJobsSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bot.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	failed, done, later := prepareJobs(t, jobs.Config{SQLite: db})
	db.Close()
	checkJobsCommands(t, failed, done, later, "--db", path)
	// $HERALD_JOBS_DB names the database too; the retried job is queued.
	t.Setenv("HERALD_JOBS_DB", "sqlite:"+path)
	out, err := runCmd(t, "jobs", "list", "--state", "queued")
	if err != nil || !regexp.MustCompile(`(?m)^`+itoa(failed)+` +available +cli_test`).MatchString(out) {
		t.Fatalf("jobs list with HERALD_JOBS_DB: %v\n%s", err, out)
	}
}

func TestJobsPostgres(t *testing.T) {
	url := pgtest.Schema(t, "cli_jobs")
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	failed, done, later := prepareJobs(t, jobs.Config{Postgres: pool})
	pool.Close()
	checkJobsCommands(t, failed, done, later, "--db", url)
}

func TestJobsBadInput(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	empty := filepath.Join(dir, "empty.db")
	db, err := sql.Open("sqlite", "file:"+empty)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE other (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	t.Setenv("HERALD_JOBS_DB", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"jobs"}, "set HERALD_JOBS_DB"},
		{[]string{"jobs", "--db", "mysql://user:hunter2@db/bot"}, `unknown scheme "mysql"`},
		{[]string{"jobs", "--db", "sqlite:"}, "no file path"},
		{[]string{"jobs", "--db", missing}, "no such file"},
		{[]string{"jobs", "--db", dir}, "is a directory"},
		{[]string{"jobs", "--db", empty}, "has no jobs"},
		{[]string{"jobs", "--db", empty, "--state", "lost"}, `--state "lost"`},
		{[]string{"jobs", "--db", empty, "--limit", "0"}, "--limit must be positive"},
		{[]string{"jobs", "--db", empty, "retry"}, "requires at least 1 arg"},
		{[]string{"jobs", "--db", empty, "retry", "x7"}, `job id "x7"`},
		{[]string{"jobs", "--db", "postgres://u:hunter2@127.0.0.1:1/none?connect_timeout=1"}, "postgres"},
	} {
		out, err := runCmd(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error about %q\n%s", tc.args, err, tc.want, out)
		}
		if strings.Contains(out, "hunter2") || err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%v: the password was printed: %v\n%s", tc.args, err, out)
		}
	}
}

func TestParseJobStates(t *testing.T) {
	got, err := parseJobStates([]string{"queued", " Failed", "available", "running"})
	if err != nil {
		t.Fatal(err)
	}
	want := []jobs.State{"available", "pending", "scheduled", "retryable", "discarded", "running"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if _, err := parseJobStates([]string{"done"}); err == nil {
		t.Error(`"done" was accepted`)
	}
}

func TestJobWhen(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	for _, tc := range []struct {
		row  jobs.Row
		want string
	}{
		{jobs.Row{State: "completed", FinalizedAt: at(-90 * time.Second), ScheduledAt: now}, "ended 1m30s ago"},
		{jobs.Row{State: "running", AttemptedAt: at(-3 * time.Second), ScheduledAt: now}, "started 3s ago"},
		{jobs.Row{State: "scheduled", ScheduledAt: *at(time.Hour)}, "in 1h0m0s"},
		{jobs.Row{State: "available", ScheduledAt: *at(-200 * time.Millisecond)}, "due now"},
	} {
		if got := jobWhen(&tc.row, now); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.row.State, got, tc.want)
		}
	}
	if got := truncateLine("first line that is long\nsecond", 10); got != "first lin…" {
		t.Errorf("truncateLine = %q", got)
	}
}
