package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/backoff"
)

// DefaultSchema is the schema a Store keeps its tables in when
// Options.Schema is empty.
const DefaultSchema = "herald"

// Defaults of the zero fields of Options.
const (
	DefaultSweepInterval = time.Minute
	DefaultSweepBatch    = 10000
	DefaultLockPollMax   = 100 * time.Millisecond
)

// lockGrace is how long a lock row stays after its lease ended before the
// sweep deletes it (see the package documentation on fencing tokens).
const lockGrace = time.Hour

// lockPollMin is the first back-off of a lock waiter; it doubles up to
// Options.LockPollMax.
const lockPollMin = time.Millisecond

// Options tune a Store. The zero value is ready to use.
type Options struct {
	// Schema is the PostgreSQL schema that holds the Store's tables and
	// functions (default "herald"), created by Open if it does not exist.
	// Two deployments sharing a database keep apart by schema.
	Schema string
	// Logger receives sweep failures, lock losses and the state of the
	// notification listener (default slog.Default()). The DSN is never
	// logged.
	Logger *slog.Logger
	// SweepInterval is how often expired rows (records, claims, idle lock
	// rows and limiter buckets) are deleted (default 1 min; negative:
	// never, expired rows are then only invisible). Of all the processes
	// sharing the schema, one sweeps at a time.
	SweepInterval time.Duration
	// SweepBatch bounds the rows one sweep deletes from each table
	// (default 10000).
	SweepBatch int
	// LockPollMax bounds the back-off between two attempts to take a lock
	// that someone else holds (default 100 ms). A waiter is woken at once
	// when the lock is released (LISTEN/NOTIFY), so polling only matters
	// for leases that run out and for a lost notification.
	LockPollMax time.Duration
}

func (o Options) withDefaults() (Options, error) {
	if o.Schema == "" {
		o.Schema = DefaultSchema
	}
	if len(o.Schema) > 63 || strings.ContainsRune(o.Schema, 0) {
		return o, fmt.Errorf("postgres: schema name %q: at most 63 bytes, no NUL", o.Schema)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.SweepInterval == 0 {
		o.SweepInterval = DefaultSweepInterval
	}
	if o.SweepBatch <= 0 {
		o.SweepBatch = DefaultSweepBatch
	}
	if o.LockPollMax <= 0 {
		o.LockPollMax = DefaultLockPollMax
	}
	o.LockPollMax = max(o.LockPollMax, lockPollMin)
	return o, nil
}

// Store is a backend.Backend on PostgreSQL: conversation state, chat
// locks, update claims, the outbound limiter's buckets and broadcast
// campaigns, in the tables of one schema. Any number of processes may
// open Stores on the same schema; they share everything. A Store is safe
// for concurrent use.
type Store struct {
	pool    *pgxpool.Pool
	ownPool bool // opened by Open: closed by Close
	opts    Options
	log     *slog.Logger
	schema  string // quoted identifier
	sql     queries
	channel string // LISTEN/NOTIFY channel of the schema's unlocks

	lockPoll backoff.Policy // a lock waiter's polls: lockPollMin up to Options.LockPollMax

	ctx    context.Context // cancelled by Close: stops renewals, sweeper, listener
	cancel context.CancelFunc
	wg     sync.WaitGroup

	waiters   waiters
	listening chan struct{} // closed when the listener first LISTENs
	listenOK  sync.Once

	mu     sync.Mutex
	closed bool

	closeOnce sync.Once
}

var _ backend.Backend = (*Store)(nil)

// Open connects to the PostgreSQL server named by dsn (a URL or key=value
// string, as pgx reads it), migrates the schema to the current version and
// starts the background sweep. Close the Store to close its connections.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message does not repeat the password.
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect to %s: %w", where(cfg), err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s: %w", where(cfg), err)
	}
	s, err := New(ctx, pool, opts)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.ownPool = true
	return s, nil
}

// where names the server and database of cfg without credentials.
func where(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("host=%s port=%d database=%s user=%s", c.Host, c.Port, c.Database, c.User)
}

// New returns a Store on pool, which the caller owns: Close leaves it
// open. Like Open, it migrates the schema first, so it needs ctx and may
// fail. The Store also makes one connection of its own, with pool's
// settings, to listen for released locks while a Lock call waits.
func New(ctx context.Context, pool *pgxpool.Pool, opts Options) (*Store, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Store{
		pool:     pool,
		opts:     opts,
		log:      opts.Logger,
		lockPoll: backoff.Policy{Min: lockPollMin, Max: opts.LockPollMax, Jitter: backoff.Equal},
		schema:   pgx.Identifier{opts.Schema}.Sanitize(),
	}
	s.sql = buildQueries(s.schema)
	h := fnv.New64a()
	h.Write([]byte(opts.Schema))
	s.channel = fmt.Sprintf("herald_unlock_%016x", h.Sum64())
	if err := migrate(ctx, pool, opts.Schema, migrations); err != nil {
		return nil, fmt.Errorf("postgres: schema %s: %w", s.schema, err)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.waiters.init()
	s.listening = make(chan struct{})
	if opts.SweepInterval > 0 {
		s.wg.Add(1)
		go s.sweepLoop()
	}
	return s, nil
}

// Name returns "postgres".
func (s *Store) Name() string { return "postgres" }

// Schema returns the schema the Store's tables live in.
func (s *Store) Schema() string { return s.opts.Schema }

// Pool returns the connection pool the Store uses.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// State returns the conversation store (backend.State).
func (s *Store) State() backend.State { return (*state)(s) }

// Locker returns the lock service (backend.Locker).
func (s *Store) Locker() backend.Locker { return (*locker)(s) }

// Claims returns the claim store (backend.Claims).
func (s *Store) Claims() backend.Claims { return (*claims)(s) }

// Broadcasts returns the campaign store (backend.BroadcastStore).
func (s *Store) Broadcasts() backend.BroadcastStore { return (*broadcasts)(s) }

// Limits returns the limiter store of the bot botID (backend.LimitStore).
// Stores on the same schema share each bot's buckets and pauses.
func (s *Store) Limits(botID int64) backend.LimitStore { return &limits{s: s, bot: botID} }

// Close stops the sweep, the listener and the renewal of held locks (their
// leases then run out), and closes the pool if Open made it. It is safe to
// call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.cancel()
		s.wg.Wait()
		if s.ownPool {
			s.pool.Close()
		}
	})
	return nil
}

// errClosed is returned by operations that would start background work on
// a closed Store.
var errClosed = errors.New("store closed")

// micros converts d to whole microseconds, rounding up so that a positive
// duration never becomes zero.
func micros(d time.Duration) int64 {
	return int64((d + time.Microsecond - 1) / time.Microsecond)
}

// Journal returns nil: PostgreSQL has no update journal yet. A fleet on
// PostgreSQL puts its journal on Redis (redis.Journal with
// herald.WithJournal); one machine uses SQLite's.
func (s *Store) Journal() backend.Journal { return nil }

// Ping checks that a pooled connection answers (backend.Pinger).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}
