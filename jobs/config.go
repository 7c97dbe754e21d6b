package jobs

import (
	"database/sql"
	"errors"
	"log/slog"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
)

// Queue names.
const (
	// QueueDefault is River's default queue: I/O-bound jobs (a Bot API
	// call, a database write) that spend their time waiting.
	QueueDefault = river.QueueDefault
	// QueueCPU is for CPU-heavy jobs (rendering an image, a report): its
	// workers are bounded by Config.CPUWorkers, GOMAXPROCS by default, so
	// that they never starve the update path of processors. A job goes
	// there with InsertOpts{Queue: QueueCPU}, or by its args' InsertOpts
	// method (river.JobArgsWithInsertOpts).
	QueueCPU = "cpu"
)

// Config configures a Client. Exactly one of SQLite and Postgres is set.
type Config struct {
	// SQLite is a database opened with modernc.org/sqlite (driver name
	// "sqlite"). River's tables are created in it. SQLite has one writer:
	// give the pool one connection (db.SetMaxOpenConns(1)), as River's
	// SQLite driver advises, and never use the pool inside InTx's function.
	SQLite *sql.DB
	// Postgres is a pgx v5 pool. River's tables are created in Schema.
	Postgres *pgxpool.Pool
	// Schema is the PostgreSQL schema of River's tables (default: the
	// connection's search_path). Unused with SQLite.
	Schema string

	// Workers bounds the jobs run at once on QueueDefault (default 10).
	Workers int
	// CPUWorkers bounds the jobs run at once on QueueCPU (default
	// runtime.GOMAXPROCS(0)).
	CPUWorkers int
	// Queues adds queues of your own: name → the jobs they run at once.
	Queues map[string]int

	// MaxAttempts is how often a failing job runs before it is discarded
	// (default River's, 25); a job's InsertOpts may say otherwise.
	MaxAttempts int
	// Retry is when a failed job runs again (default River's: attempt⁴
	// seconds with jitter, about 3 weeks over 25 attempts).
	Retry river.ClientRetryPolicy
	// JobTimeout bounds one run of a job (default 1 minute; < 0: none).
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay running before it is taken
	// for the job of a crashed process and run again (default JobTimeout
	// plus 1 minute; at least JobTimeout). A job killed with its process
	// is retried once the running client that leads maintenance notices
	// it, which happens when it starts and every 30 seconds after.
	RescueAfter time.Duration
	// PollInterval is how often idle queues look for new jobs (default
	// 1 s). PostgreSQL also wakes them with LISTEN/NOTIFY; SQLite has
	// only the poll (and the wake-up of jobs inserted by this Client).
	PollInterval time.Duration
	// CompletedRetention is how long finished jobs are kept, for `herald
	// jobs` and for unique jobs (default 24 h).
	CompletedRetention time.Duration
	// ID names this client in River's tables (default River's: host and
	// start time).
	ID string
	// Logger receives River's and the workers' logs (default slog.Default()).
	Logger *slog.Logger
}

func (c Config) withDefaults() (Config, error) {
	if (c.SQLite == nil) == (c.Postgres == nil) {
		return c, errors.New("jobs: set exactly one of Config.SQLite and Config.Postgres")
	}
	if c.Workers <= 0 {
		c.Workers = 10
	}
	if c.CPUWorkers <= 0 {
		c.CPUWorkers = runtime.GOMAXPROCS(0)
	}
	if c.JobTimeout == 0 {
		c.JobTimeout = time.Minute
	}
	if c.RescueAfter <= 0 {
		c.RescueAfter = max(c.JobTimeout, 0) + time.Minute
	}
	if c.RescueAfter < c.JobTimeout {
		return c, errors.New("jobs: Config.RescueAfter is shorter than JobTimeout")
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	for name, n := range c.Queues {
		if name == QueueDefault || name == QueueCPU {
			return c, errors.New("jobs: Config.Queues redefines " + name + "; use Workers or CPUWorkers")
		}
		if n <= 0 {
			return c, errors.New("jobs: queue " + name + " needs at least one worker")
		}
	}
	return c, nil
}
