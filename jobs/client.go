package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/heraldbot/herald/tg"
)

// ErrStarted is returned by Handle and Periodic after Start.
var ErrStarted = errors.New("jobs: the client is started already")

// Client is River for one Herald bot: its database, its workers, its
// periodic jobs. New prepares it; Handle and Periodic register work;
// Start runs it; Stop stops it. Insert works before Start too.
type Client struct {
	cfg     Config
	eng     engine // insert-only until Start, then the running client
	admin   engine // insert-only: List, Retry, Insert before Start
	workers *river.Workers
	bot     *tg.Client

	mu       sync.Mutex
	started  bool
	periodic []*river.PeriodicJob
}

// New checks cfg, runs River's migrations in the database (on SQLite in
// one transaction; on PostgreSQL under an advisory lock, so that instances
// starting together do not race) and returns a Client ready for Handle.
func New(ctx context.Context, cfg Config) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, workers: river.NewWorkers()}
	if err := migrate(ctx, cfg); err != nil {
		return nil, err
	}
	c.admin, err = c.newEngine(&river.Config{Logger: cfg.Logger, Schema: cfg.Schema})
	if err != nil {
		return nil, err
	}
	c.eng = c.admin
	return c, nil
}

// newEngine makes a River client on the configured database.
func (c *Client) newEngine(rc *river.Config) (engine, error) {
	if c.cfg.SQLite != nil {
		rc.Schema = ""
		rcl, err := river.NewClient(riversqlite.New(c.cfg.SQLite), rc)
		if err != nil {
			return nil, fmt.Errorf("jobs: %w", err)
		}
		return &riverEngine[*sql.Tx]{c: rcl, txOf: func(t *Tx) (*sql.Tx, bool) { return t.sql, t.sql != nil }}, nil
	}
	rcl, err := river.NewClient(riverpgxv5.New(c.cfg.Postgres), rc)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return &riverEngine[pgx.Tx]{c: rcl, txOf: func(t *Tx) (pgx.Tx, bool) { return t.pgx, t.pgx != nil }}, nil
}

// Start starts the queues (QueueDefault, QueueCPU and Config.Queues), the
// periodic jobs and River's maintenance (retries, scheduled jobs, rescue
// of the jobs of crashed processes, clean-up). Workers receive bot (the
// bot's client, herald.Bot.Client(): rate-limited, with safe retries) as
// Job.Bot; it may be nil for jobs that do not talk to Telegram. The jobs
// run until Stop, not until ctx ends (ctx bounds the start only).
func (c *Client) Start(ctx context.Context, bot *tg.Client) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started {
		return ErrStarted
	}
	cfg := c.cfg
	queues := map[string]river.QueueConfig{
		QueueDefault: {MaxWorkers: cfg.Workers},
		QueueCPU:     {MaxWorkers: cfg.CPUWorkers},
	}
	for name, n := range cfg.Queues {
		queues[name] = river.QueueConfig{MaxWorkers: n}
	}
	rc := &river.Config{
		Logger:                      cfg.Logger,
		Schema:                      cfg.Schema,
		ID:                          cfg.ID,
		Workers:                     c.workers,
		Queues:                      queues,
		PeriodicJobs:                c.periodic,
		MaxAttempts:                 cfg.MaxAttempts,
		RetryPolicy:                 cfg.Retry,
		JobTimeout:                  cfg.JobTimeout,
		RescueStuckJobsAfter:        cfg.RescueAfter,
		FetchPollInterval:           cfg.PollInterval,
		FetchCooldown:               min(cfg.PollInterval, river.FetchCooldownDefault),
		CompletedJobRetentionPeriod: cfg.CompletedRetention,
	}
	if cfg.JobTimeout < 0 {
		rc.JobTimeout = -1
	}
	c.bot = bot
	eng, err := c.newEngine(rc)
	if err != nil {
		return err
	}
	if err := eng.start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: starting: %w", err)
	}
	c.eng, c.started = eng, true
	return nil
}

// Stop stops fetching jobs and waits for the running ones until ctx ends;
// then it cancels them (their contexts end) and waits for them to return.
// A job cut short is run again later, by this process restarted or by
// another one (at least once). Stop before Start does nothing.
func (c *Client) Stop(ctx context.Context) error {
	c.mu.Lock()
	eng, started := c.eng, c.started
	c.mu.Unlock()
	if !started {
		return nil
	}
	return eng.stop(ctx)
}

// Insert adds a job. opts may be nil (then the args' InsertOpts, if
// any, and River's defaults apply). A unique job already present is not
// added again: the result's UniqueSkippedAsDuplicate tells.
func (c *Client) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	res, err := c.engine().insert(ctx, nil, args, opts)
	if err != nil {
		return nil, fmt.Errorf("jobs: inserting %s: %w", args.Kind(), err)
	}
	return res, nil
}

// InsertTx adds a job in tx, a transaction of InTx: it exists when, and
// only if, tx commits, together with the rest of tx's writes.
func (c *Client) InsertTx(ctx context.Context, tx *Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	res, err := c.engine().insert(ctx, tx, args, opts)
	if err != nil {
		return nil, fmt.Errorf("jobs: inserting %s: %w", args.Kind(), err)
	}
	return res, nil
}

func (c *Client) engine() engine {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.eng
}

// engine is what Client needs of a River client, whatever its
// transaction type.
type engine interface {
	insert(ctx context.Context, tx *Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	list(ctx context.Context, p *river.JobListParams) (*river.JobListResult, error)
	get(ctx context.Context, id int64) (*rivertype.JobRow, error)
	retry(ctx context.Context, id int64) (*rivertype.JobRow, error)
	start(ctx context.Context) error
	stop(ctx context.Context) error
}

// riverEngine is a River client and how to find its transaction in a Tx.
type riverEngine[TTx any] struct {
	c    *river.Client[TTx]
	txOf func(*Tx) (TTx, bool)
}

func (e *riverEngine[TTx]) insert(ctx context.Context, tx *Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	if tx == nil {
		return e.c.Insert(ctx, args, opts)
	}
	t, ok := e.txOf(tx)
	if !ok {
		return nil, errors.New("the transaction is not of this client's database")
	}
	return e.c.InsertTx(ctx, t, args, opts)
}

func (e *riverEngine[TTx]) list(ctx context.Context, p *river.JobListParams) (*river.JobListResult, error) {
	return e.c.JobList(ctx, p)
}

func (e *riverEngine[TTx]) get(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return e.c.JobGet(ctx, id)
}

func (e *riverEngine[TTx]) retry(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return e.c.JobRetry(ctx, id)
}

func (e *riverEngine[TTx]) start(ctx context.Context) error { return e.c.Start(ctx) }

func (e *riverEngine[TTx]) stop(ctx context.Context) error {
	err := e.c.Stop(ctx)
	if err == nil || ctx.Err() == nil {
		return err
	}
	// Out of patience: cancel the running jobs and wait for them.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return errors.Join(err, e.c.StopAndCancel(sctx))
}
