package jobs_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldbot/herald/jobs"
)

// greetArgs is a job: its fields are stored as JSON.
type greetArgs struct {
	Name string `json:"name"`
}

func (greetArgs) Kind() string { return "greet" }

// A job queue on an SQLite file: a worker, a job inserted in the same
// transaction as a business row, and the worker running it.
func Example() {
	dir, _ := os.MkdirTemp("", "jobs-example")
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "bot.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // SQLite has one writer

	ctx := context.Background()
	q, err := jobs.New(ctx, jobs.Config{SQLite: db, PollInterval: 50 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		panic(err)
	}
	done := make(chan struct{})
	_ = jobs.Handle(q, func(ctx context.Context, j *jobs.Job[greetArgs]) error {
		// j.Bot is the bot's client given to Start: j.Bot.SendMessage(…).
		fmt.Println("hello,", j.Args.Name)
		close(done)
		return nil
	})
	err = q.InTx(ctx, func(tx *jobs.Tx) error {
		if _, err := tx.Exec(ctx, "CREATE TABLE visits (name TEXT)"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO visits (name) VALUES (?)", "Ann"); err != nil {
			return err
		}
		_, err := q.InsertTx(ctx, tx, greetArgs{Name: "Ann"}, &river.InsertOpts{MaxAttempts: 5})
		return err
	})
	if err != nil {
		panic(err)
	}
	if err := q.Start(ctx, nil); err != nil { // the bot's client: bot.Client()
		panic(err)
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		fmt.Println("timed out")
	}
	_ = q.Stop(ctx)
	// Output: hello, Ann
}
