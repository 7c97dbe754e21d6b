package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/redis"
	"github.com/heraldbot/herald/backend/sqlite"
)

// journalFlags are the flags shared by "herald journal" and its
// subcommands.
type journalFlags struct {
	backend    string
	prefix     string
	partitions int
	json       bool
}

// newJournalCmd returns "herald journal stats|dead|requeue": operator
// tools for a bot's durable update journal, in SQLite or Redis. Without a
// subcommand it shows the stats.
func newJournalCmd() *cobra.Command {
	var f journalFlags
	cmd := &cobra.Command{
		Use:   "journal",
		Short: "Inspect a bot's update journal: partitions, lag, owners, dead letters; requeue dead letters",
		Long: `Open the journal of a bot's engine (--backend, default $HERALD_JOURNAL):
redis://host:port/db (rediss:// for TLS) with --prefix, the Store's key
prefix; sqlite:PATH or a plain path for an existing SQLite file.
Without a subcommand, "stats" runs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return withJournal(cmd, &f, runJournalStats) },
	}
	fl := cmd.PersistentFlags()
	// Not envOr: help would show the default, and a URL's password with it.
	fl.StringVar(&f.backend, "backend", "", "the journal's engine: redis://host:port/db, sqlite:PATH or a SQLite file (default $HERALD_JOURNAL)")
	fl.StringVar(&f.prefix, "prefix", redis.DefaultPrefix, "Redis key prefix (namespace) the bots' Store uses")
	fl.IntVar(&f.partitions, "partitions", 0, "the bots' journal partition count, when not the default (Redis; SQLite reads it from the file)")
	fl.BoolVar(&f.json, "json", false, "print JSON")

	statsCmd := &cobra.Command{
		Use:   "stats",
		Short: "Per partition: length, pending, lag, owner; totals, dead letters, live workers",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return withJournal(cmd, &f, runJournalStats) },
	}

	var limit int
	deadCmd := &cobra.Command{
		Use:   "dead",
		Short: "List the dead letters, oldest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit <= 0 {
				return fmt.Errorf("--limit must be positive, got %d", limit)
			}
			return withJournal(cmd, &f, func(ctx context.Context, cmd *cobra.Command, j *openJournal) error {
				return runJournalDead(ctx, cmd, j, limit)
			})
		},
	}
	deadCmd.Flags().IntVar(&limit, "limit", 100, "list at most this many")

	var all bool
	requeueCmd := &cobra.Command{
		Use:   "requeue ID... | --all",
		Short: "Append dead letters to the journal again, as new entries",
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) > 0) {
				return errors.New("give the ids of dead letters (see herald journal dead) or --all, not both")
			}
			return withJournal(cmd, &f, func(ctx context.Context, cmd *cobra.Command, j *openJournal) error {
				return runJournalRequeue(ctx, cmd, j, args)
			})
		},
	}
	requeueCmd.Flags().BoolVar(&all, "all", false, "requeue every dead letter there is when the command starts")

	cmd.AddCommand(statsCmd, deadCmd, requeueCmd)
	return cmd
}

// openJournal is the journal the command works on, with its engine.
type openJournal struct {
	backend.Journal
	// engine is "sqlite" or "redis".
	engine string
	// json is --json.
	json  bool
	close func() error
}

// withJournal opens the journal the flags name, runs fn on it and closes
// it.
func withJournal(cmd *cobra.Command, f *journalFlags, fn func(context.Context, *cobra.Command, *openJournal) error) error {
	ctx := cmd.Context()
	j, err := openJournalFlags(ctx, f)
	if err == nil {
		err = fn(ctx, cmd, j)
		err = errors.Join(err, j.close())
	}
	if errors.Is(err, backend.ErrPartitions) {
		err = fmt.Errorf("%w (give the bots' partition count with --partitions)", err)
	}
	return err
}

// openJournalFlags opens the engine --backend names and returns its
// journal.
func openJournalFlags(ctx context.Context, f *journalFlags) (*openJournal, error) {
	engine, target, err := parseJournalURL(cmp.Or(f.backend, os.Getenv("HERALD_JOURNAL")))
	if err != nil {
		return nil, err
	}
	if f.partitions < 0 {
		return nil, fmt.Errorf("--partitions must not be negative, got %d", f.partitions)
	}
	var store interface {
		Journal() backend.Journal
		Close() error
	}
	switch engine {
	case "sqlite":
		if err := existingFile(target); err != nil {
			return nil, err
		}
		store, err = sqlite.Open(ctx, target, sqlite.Options{JournalPartitions: f.partitions})
	default:
		store, err = redis.Open(ctx, target, redis.Options{Prefix: f.prefix, JournalPartitions: f.partitions})
	}
	if err != nil {
		return nil, err
	}
	j := store.Journal()
	if j == nil {
		return nil, errors.Join(fmt.Errorf("the %s engine has no journal", engine), store.Close())
	}
	return &openJournal{Journal: j, engine: engine, json: f.json, close: store.Close}, nil
}

// parseJournalURL tells the engine of a --backend value and what to open
// it with: the URL for Redis, the file for SQLite. Errors never quote the
// value, which may hold a password.
func parseJournalURL(raw string) (engine, target string, err error) {
	if raw == "" {
		return "", "", errors.New("no journal: give --backend or set HERALD_JOURNAL (redis://host:port/db, sqlite:PATH or a SQLite file)")
	}
	if path, ok := strings.CutPrefix(raw, "sqlite:"); ok {
		// sqlite:bot.db, sqlite://bot.db and sqlite:///var/lib/bot.db.
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return "", "", errors.New("--backend sqlite: has no file path")
		}
		return "sqlite", path, nil
	}
	scheme, _, ok := strings.Cut(raw, "://")
	if !ok {
		return "sqlite", raw, nil
	}
	switch strings.ToLower(scheme) {
	case "redis", "rediss":
		return "redis", raw, nil
	}
	return "", "", fmt.Errorf("--backend: unknown scheme %q: want redis://, rediss://, sqlite:PATH or a SQLite file", scheme)
}

// existingFile checks that path is a file: sqlite.Open would create a
// missing one, empty.
func existingFile(path string) error {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("sqlite: %s: no such file (herald journal opens a bot's database, it creates none)", path)
	case err != nil:
		return fmt.Errorf("sqlite: %w", err)
	case info.IsDir():
		return fmt.Errorf("sqlite: %s is a directory, not a database file", path)
	}
	return nil
}

// requeueBatch is how many dead letters requeue --all reads and requeues
// at a time.
const requeueBatch = 500

// runJournalRequeue requeues the dead letters ids, or all of them when
// ids is empty, and prints how many.
func runJournalRequeue(ctx context.Context, cmd *cobra.Command, j *openJournal, ids []string) error {
	var n int
	var err error
	if len(ids) > 0 {
		n, err = j.Requeue(ctx, ids...)
	} else {
		n, err = requeueAll(ctx, j)
	}
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if j.json {
		return writeJSON(out, requeueJSON{Requeued: n})
	}
	fmt.Fprintf(out, "requeued %d\n", n)
	if n < len(ids) {
		fmt.Fprintf(cmd.ErrOrStderr(), "%d of the %d ids named no dead letter (unknown, or requeued already)\n", len(ids)-n, len(ids))
	}
	return nil
}

// requeueAll requeues the dead letters there are when it starts, in
// batches. Entries that die again meanwhile are left alone: a handler
// that keeps failing them cannot keep it going.
func requeueAll(ctx context.Context, j backend.Journal) (int, error) {
	st, err := j.Stats(ctx)
	if err != nil {
		return 0, err
	}
	left := st.DeadLetters
	tried := make(map[string]bool)
	total := 0
	for left > 0 {
		dead, err := j.DeadLetters(ctx, int(min(left, requeueBatch)))
		if err != nil {
			return total, err
		}
		var ids []string
		for _, d := range dead {
			if !tried[d.ID] {
				tried[d.ID] = true
				ids = append(ids, d.ID)
			}
		}
		if len(ids) == 0 {
			break
		}
		n, err := j.Requeue(ctx, ids...)
		total += n
		if err != nil {
			return total, err
		}
		left -= int64(len(ids))
	}
	return total, nil
}
