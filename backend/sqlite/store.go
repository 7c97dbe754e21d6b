package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	msqlite "modernc.org/sqlite" // also registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/heraldbot/herald/internal/backoff"
)

// Options tune a Store. The zero value is a good default.
type Options struct {
	// BusyTimeout is how long a statement waits for another process's
	// write lock on the file before failing (default 5 s).
	BusyTimeout time.Duration
	// SweepInterval is how often expired rows are deleted (default 1 min;
	// negative: never, expired rows are then only invisible).
	SweepInterval time.Duration
	// SweepBatch bounds the rows one sweep deletes per table (default
	// 1000). When a sweep hits the bound the next one follows shortly.
	SweepBatch int
	// ReadConns is the size of the read connection pool (default
	// GOMAXPROCS, at least 2). Writes always use one connection.
	ReadConns int
	// Logger receives sweep failures and lock renewal failures (default
	// slog.Default()).
	Logger *slog.Logger
	// JournalPartitions is the journal's partition count (default: the
	// count the file records, or backend.DefaultPartitions for a file that
	// records none). The first Open of a file records it; Open fails with
	// an error wrapping backend.ErrPartitions when it is set and differs
	// from the recorded count.
	JournalPartitions int
}

// Store is a backend.Backend kept in one SQLite file: it is the
// backend.State, backend.Locker and backend.Claims itself, and hands out a
// LimitStore per bot (Limits) and a broadcast store (Broadcasts) on the
// same file. It is safe for concurrent use by many goroutines, and several
// processes on one machine may open the same file.
type Store struct {
	path string
	w    *sql.DB // one connection: every write, serialised in process
	r    *sql.DB // read pool; == w for in-memory databases
	opts Options
	log  *slog.Logger

	stmts   statements
	journal *Journal

	ctx    context.Context // cancelled by Close: stops sweeper and lock renewals
	cancel context.CancelFunc
	wg     sync.WaitGroup

	closeOnce sync.Once
	closeErr  error

	mu       sync.Mutex
	closed   bool          // set by Close, before waiting for s.wg
	unlocked chan struct{} // closed and replaced on every Unlock in this process
}

// Open opens (creating if needed) the SQLite database at path, migrates
// its schema to the current version and starts the background sweeper.
// path ":memory:" gives a private in-memory database (tests). The
// returned Store must be closed with Close.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty path")
	}
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("sqlite: path %q: '?' is not allowed in a file name", path)
	}
	opts = opts.withDefaults()
	s := &Store{
		path:     path,
		opts:     opts,
		log:      opts.Logger,
		unlocked: make(chan struct{}),
	}
	if err := s.openPools(ctx); err != nil {
		return nil, err
	}
	if err := migrate(ctx, s.w, migrations); err != nil {
		s.closeDBs()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	if err := s.stmts.prepare(ctx, s.r, s.w); err != nil {
		s.closeDBs()
		return nil, fmt.Errorf("sqlite: %s: prepare: %w", path, err)
	}
	j, err := s.openJournal(ctx)
	if err != nil {
		s.closeDBs()
		return nil, fmt.Errorf("sqlite: %s: journal: %w", path, err)
	}
	s.journal = j
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if opts.SweepInterval > 0 {
		s.wg.Add(1)
		go s.sweepLoop()
	}
	return s, nil
}

func (o Options) withDefaults() Options {
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.SweepInterval == 0 {
		o.SweepInterval = time.Minute
	}
	if o.SweepBatch <= 0 {
		o.SweepBatch = 1000
	}
	if o.ReadConns <= 0 {
		o.ReadConns = max(2, runtime.GOMAXPROCS(0))
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// dsn builds a modernc.org/sqlite data source name: the plain path, then
// per-connection pragmas as query parameters.
func (s *Store) dsn(write bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", s.opts.BusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(0)")
	if write {
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return s.path + "?" + q.Encode()
}

func (s *Store) openPools(ctx context.Context) error {
	w, err := sql.Open("sqlite", s.dsn(true))
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", s.path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	s.w = w
	if err := s.checkFile(ctx); err != nil {
		w.Close()
		return fmt.Errorf("sqlite: open %s: %w", s.path, err)
	}
	if s.path == ":memory:" {
		// Every connection to ":memory:" is a new database: share the one.
		s.r = w
		return nil
	}
	r, err := sql.Open("sqlite", s.dsn(false))
	if err != nil {
		w.Close()
		return fmt.Errorf("sqlite: open %s: %w", s.path, err)
	}
	r.SetMaxOpenConns(s.opts.ReadConns)
	r.SetMaxIdleConns(s.opts.ReadConns)
	s.r = r
	return nil
}

// checkFile makes the first connection and reads the file header and
// schema (a file that is not a database, or whose first page is damaged,
// fails here rather than on the first Get), refuses files of other
// programs and of newer schema versions before anything is written, and
// then switches the file to WAL mode.
func (s *Store) checkFile(ctx context.Context) error {
	var n int
	if err := s.w.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		return err
	}
	v, app, err := readVersion(ctx, s.w)
	if err != nil {
		return err
	}
	if err := checkVersion(v, app, SchemaVersion); err != nil {
		return err
	}
	if v == 0 && n > 0 {
		return fmt.Errorf("%w: schema version 0 but %d objects exist", ErrNotHerald, n)
	}
	mode, err := s.setWAL(ctx)
	if err != nil {
		return err
	}
	if s.path != ":memory:" && !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("cannot switch to WAL journal mode (got %q)", mode)
	}
	return nil
}

// setWAL switches the file to WAL journal mode and returns the mode in
// force. The switch needs an exclusive lock, and SQLite answers
// SQLITE_BUSY at once, without waiting for the busy timeout, when another
// connection (another process opening the same new file) holds a shared
// lock; so a busy switch is tried again until BusyTimeout has passed.
func (s *Store) setWAL(ctx context.Context) (string, error) {
	deadline := time.Now().Add(s.opts.BusyTimeout)
	pause := backoff.Counter{Policy: backoff.Policy{Min: time.Millisecond, Max: 50 * time.Millisecond}}
	for {
		var mode string
		err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return mode, err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(pause.Next()):
		}
	}
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (or one of its
// extended codes).
func isBusy(err error) bool {
	e, ok := errors.AsType[*msqlite.Error](err)
	return ok && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

// Path returns the database file path given to Open.
func (s *Store) Path() string { return s.path }

// Close stops the sweeper and the renewal of held locks (their leases then
// run out) and closes the database. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.cancel()
		s.wg.Wait()
		s.closeErr = s.closeDBs()
	})
	return s.closeErr
}

func (s *Store) closeDBs() error {
	err := s.stmts.close()
	if s.r != nil && s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	if s.w != nil {
		err = errors.Join(err, s.w.Close())
	}
	return err
}

// nowNanos is the current time as Unix nanoseconds, the unit of every
// expires_at column.
func (s *Store) nowNanos() int64 { return time.Now().UnixNano() }

// expiresAt converts a time to live into an expires_at value: 0 for none.
func (s *Store) expiresAt(now int64, ttl time.Duration) int64 {
	if ttl <= 0 {
		return 0
	}
	return now + int64(ttl)
}

// Ping checks that the database file answers a query on both the write
// connection and the read pool (backend.Pinger).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if err := s.r.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}
