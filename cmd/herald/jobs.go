package main

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/heraldbot/herald/jobs"
)

// jobsFlags are the flags shared by "herald jobs" and its subcommands.
type jobsFlags struct {
	db     string
	schema string
	json   bool
}

// newJobsCmd returns "herald jobs [list]|retry": operator tools for a
// bot's durable jobs (package jobs, River) in SQLite or PostgreSQL.
func newJobsCmd() *cobra.Command {
	var f jobsFlags
	var states, kinds []string
	var limit int
	list := func(cmd *cobra.Command, _ []string) error {
		if limit <= 0 {
			return fmt.Errorf("--limit must be positive, got %d", limit)
		}
		sts, err := parseJobStates(states)
		if err != nil {
			return err
		}
		return withJobs(cmd, &f, func(ctx context.Context, c *jobs.Client) error {
			rows, err := c.List(ctx, jobs.ListParams{States: sts, Kinds: kinds, Limit: limit})
			if err != nil {
				return err
			}
			return printJobs(cmd, rows, f.json)
		})
	}
	cmd := &cobra.Command{
		Use:   "jobs",
		Short: "List a bot's durable jobs (queued, running, failed) and retry failed ones",
		Long: `Open the jobs of a bot (package jobs, on River) in --db, default
$HERALD_JOBS_DB: an SQLite file (sqlite:PATH or a plain path) or a
postgres:// URL (--schema: River's schema, default the search_path).
Without a subcommand, "list" runs.

States: queued (available, pending, scheduled), running, failed
(retryable: will run again; discarded: out of attempts), completed,
cancelled, all, or any of River's state names.`,
		Args: cobra.NoArgs,
		RunE: list,
	}
	fl := cmd.PersistentFlags()
	// Not envOr: help would show the default, and a URL's password with it.
	fl.StringVar(&f.db, "db", "", "where the jobs live: an SQLite file, sqlite:PATH or postgres://… (default $HERALD_JOBS_DB)")
	fl.StringVar(&f.schema, "schema", "", "PostgreSQL schema of River's tables (default: the connection's search_path)")
	fl.BoolVar(&f.json, "json", false, "print JSON")

	listFlags := func(c *cobra.Command) {
		c.Flags().StringSliceVar(&states, "state", []string{"queued", "running", "failed"}, "states to list (comma-separated)")
		c.Flags().StringSliceVar(&kinds, "kind", nil, "kinds to list (default all)")
		c.Flags().IntVar(&limit, "limit", 100, "list at most this many, newest first")
	}
	listFlags(cmd)
	listCmd := &cobra.Command{
		Use:   "list",
		Short: "List jobs, newest first: id, state, kind, queue, attempts, when, last error",
		Args:  cobra.NoArgs,
		RunE:  list,
	}
	listFlags(listCmd)

	retryCmd := &cobra.Command{
		Use:   "retry ID...",
		Short: "Run failed (or cancelled, or scheduled) jobs again now",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids := make([]int64, len(args))
			for i, a := range args {
				id, err := strconv.ParseInt(a, 10, 64)
				if err != nil || id <= 0 {
					return fmt.Errorf("job id %q: want a positive number (see herald jobs list)", a)
				}
				ids[i] = id
			}
			return withJobs(cmd, &f, func(ctx context.Context, c *jobs.Client) error {
				var errs []error
				for _, id := range ids {
					row, err := c.Retry(ctx, id)
					if err != nil {
						errs = append(errs, err)
						continue
					}
					if row.State == jobs.State("running") {
						fmt.Fprintf(cmd.OutOrStdout(), "job %d (%s) is running: left alone\n", id, row.Kind)
						continue
					}
					fmt.Fprintf(cmd.OutOrStdout(), "job %d (%s) is %s again (attempt %d of %d done)\n", id, row.Kind, row.State, row.Attempt, row.MaxAttempts)
				}
				return errors.Join(errs...)
			})
		},
	}
	cmd.AddCommand(listCmd, retryCmd)
	return cmd
}

// stateAliases are the names herald jobs accepts beyond River's own.
var stateAliases = map[string][]string{
	"queued": {"available", "pending", "scheduled"},
	"failed": {"retryable", "discarded"},
	"all":    {"available", "pending", "scheduled", "running", "retryable", "discarded", "completed", "cancelled"},
}

// parseJobStates turns --state values into River states.
func parseJobStates(names []string) ([]jobs.State, error) {
	var out []jobs.State
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		expanded, ok := stateAliases[n]
		if !ok {
			if !slices.Contains(stateAliases["all"], n) {
				return nil, fmt.Errorf("--state %q: want queued, running, failed, completed, cancelled, all or a River state (available, pending, scheduled, retryable, discarded)", n)
			}
			expanded = []string{n}
		}
		for _, s := range expanded {
			if !slices.Contains(out, jobs.State(s)) {
				out = append(out, jobs.State(s))
			}
		}
	}
	return out, nil
}

// withJobs opens the jobs --db names, runs fn and closes them.
func withJobs(cmd *cobra.Command, f *jobsFlags, fn func(context.Context, *jobs.Client) error) error {
	ctx := cmd.Context()
	raw := cmp.Or(f.db, os.Getenv("HERALD_JOBS_DB"))
	if raw == "" {
		return errors.New("no jobs database: give --db or set HERALD_JOBS_DB (an SQLite file, sqlite:PATH or postgres://…)")
	}
	cfg := jobs.Config{Logger: slog.New(slog.DiscardHandler), Schema: f.schema}
	var closeDB func()
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		pool, err := pgxpool.New(ctx, raw)
		if err != nil {
			return errors.New("--db: not a valid PostgreSQL URL") // never quote it: it may hold a password
		}
		closeDB = pool.Close
		if err := hasRiverPostgres(ctx, pool, f.schema); err != nil {
			pool.Close()
			return err
		}
		cfg.Postgres = pool
	default:
		path := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "//")
		if path == "" {
			return errors.New("--db sqlite: has no file path")
		}
		if scheme, _, ok := strings.Cut(raw, "://"); ok && scheme != "sqlite" {
			return fmt.Errorf("--db: unknown scheme %q: want postgres://, sqlite:PATH or an SQLite file", scheme)
		}
		if err := existingFile(path); err != nil {
			return err
		}
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_txlock=immediate")
		if err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		db.SetMaxOpenConns(1)
		closeDB = func() { db.Close() }
		if err := hasRiverSQLite(ctx, db, path); err != nil {
			db.Close()
			return err
		}
		cfg.SQLite = db
	}
	defer closeDB()
	c, err := jobs.New(ctx, cfg)
	if err != nil {
		return err
	}
	return fn(ctx, c)
}

// hasRiverSQLite refuses a file without River's tables: herald jobs
// reads a bot's jobs, it creates none.
func hasRiverSQLite(ctx context.Context, db *sql.DB, path string) error {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'river_job'").Scan(&n); err != nil {
		return fmt.Errorf("sqlite: %s: %w", path, err)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: %s has no jobs (no river_job table: no bot ran jobs there)", path)
	}
	return nil
}

// hasRiverPostgres is hasRiverSQLite for PostgreSQL.
func hasRiverPostgres(ctx context.Context, pool *pgxpool.Pool, schema string) error {
	table := "river_job"
	if schema != "" {
		table = schema + ".river_job"
	}
	var ok bool
	if err := pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", table).Scan(&ok); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if !ok {
		return fmt.Errorf("postgres: no %s table: no bot ran jobs there (wrong --schema?)", table)
	}
	return nil
}
