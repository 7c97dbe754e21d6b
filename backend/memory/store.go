package memory

import (
	"cmp"
	"errors"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldbot/herald/backend"
)

// Defaults used for the zero fields of [Options].
const (
	// DefaultMaxKeys bounds the records at about a million conversations,
	// about 200 MB with small data
	// (see BenchmarkMemoryIdleSession).
	DefaultMaxKeys = 1 << 20
	// DefaultMaxMarks bounds the claims (pending claims and done marks) at
	// about a million, enough for a day of update ids at 12 updates per
	// second with a 24 h TTL.
	DefaultMaxMarks = 1 << 20
	// DefaultSweepInterval is how often expired entries are reclaimed.
	DefaultSweepInterval = time.Minute
)

// ErrFull is returned when a write would add a record or a claim beyond
// Options.MaxKeys or Options.MaxMarks and no expired entry could be
// reclaimed.
var ErrFull = errors.New("memory: store is full")

// Options configures a [Store]. The zero value is ready to use. Negative
// MaxKeys or MaxMarks make [New] panic.
type Options struct {
	// MaxKeys bounds the number of conversation records. Zero means
	// DefaultMaxKeys.
	MaxKeys int
	// MaxMarks bounds the number of claims (backend.Claims: pending claims
	// and done marks). Zero means DefaultMaxMarks.
	MaxMarks int
	// SweepInterval is how often a background goroutine reclaims the
	// memory of expired records and claims. Zero means
	// DefaultSweepInterval; a negative value starts no goroutine (expired
	// entries are then reclaimed only when touched or when the store is
	// full).
	SweepInterval time.Duration
}

// Store keeps conversation records, locks, claims, limiter buckets and
// broadcast campaigns in memory. It implements backend.Backend (and is its
// own State, Locker and Claims) and is safe for concurrent use. Create it
// with [New] and stop its sweep with [Store.Close].
type Store struct {
	shards   [numShards]shard
	seed     maphash.Seed
	epoch    time.Time // when New ran: the origin of the Store's clock
	maxKeys  int64
	maxMarks int64

	records atomic.Int64 // records stored, expired ones not yet reclaimed included
	marks   atomic.Int64 // likewise for claims
	tokens  atomic.Int64 // last fencing token handed out

	sweepEvery time.Duration
	kick       chan struct{} // asks the sweeper for an early sweep
	stop       chan struct{}
	done       chan struct{}
	closeOnce  sync.Once

	engine engine // Limits and Broadcasts
}

var (
	_ backend.State  = (*Store)(nil)
	_ backend.Locker = (*Store)(nil)
)

// New returns an empty store and starts its sweep goroutine (see
// Options.SweepInterval).
func New(opts Options) *Store {
	if opts.MaxKeys < 0 || opts.MaxMarks < 0 {
		panic(fmt.Sprintf("memory: negative Options.MaxKeys (%d) or MaxMarks (%d)", opts.MaxKeys, opts.MaxMarks))
	}
	s := &Store{
		seed:       maphash.MakeSeed(),
		epoch:      time.Now(),
		maxKeys:    int64(cmp.Or(opts.MaxKeys, DefaultMaxKeys)),
		maxMarks:   int64(cmp.Or(opts.MaxMarks, DefaultMaxMarks)),
		sweepEvery: opts.SweepInterval,
		kick:       make(chan struct{}, 1),
		stop:       make(chan struct{}),
		done:       make(chan struct{}),
	}
	for i := range s.shards {
		s.shards[i].init()
	}
	if s.sweepEvery == 0 {
		s.sweepEvery = DefaultSweepInterval
	}
	if s.sweepEvery > 0 {
		go s.sweeper()
	} else {
		close(s.done)
	}
	return s
}

// Close stops the sweep goroutine and waits for it to exit. The store
// remains usable (expired entries are then reclaimed only when touched).
// Close is idempotent and always returns nil.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { close(s.stop) })
	<-s.done
	return nil
}

// Stats counts what a Store holds.
type Stats struct {
	Records int // conversation records, including expired ones not yet reclaimed
	Marks   int // claims (pending and done), likewise
	Locks   int // locks held
}

// Stats returns the current counts.
func (s *Store) Stats() Stats {
	st := Stats{Records: int(s.records.Load()), Marks: int(s.marks.Load())}
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		st.Locks += len(sh.locks)
		sh.mu.Unlock()
	}
	return st
}

// now returns the time since the store was created in nanoseconds, on
// the monotonic clock.
func (s *Store) now() int64 { return int64(time.Since(s.epoch)) }
