package fsm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/backoff"
)

// DefaultMaxRetries is how many times a write retries after a version
// conflict when [Options.MaxRetries] is zero.
const DefaultMaxRetries = 10

// Back-off between retries after a conflict ("full jitter"): a random
// duration below base<<attempt, capped at base<<maxBackoffShift, where base
// is how long the failed attempt took (at least minBackoff). Writers that
// collided spread out instead of colliding again, and the spread scales
// with the backend's latency: a few microseconds in memory, a millisecond
// on a remote Redis, more on a busy disk.
const (
	minBackoff      = time.Millisecond
	maxBackoffShift = 6
)

// Options configures a [Context].
type Options struct {
	// TTL is how long a conversation lives after its last write: state
	// and data are one record and expire together. Every write (SetState,
	// Set, SetData, Update) starts the TTL again; reads do not. Zero
	// means no expiry.
	TTL time.Duration
	// MaxRetries bounds the retries of a write after a version conflict
	// (another writer changed the key in between). Zero means
	// DefaultMaxRetries; a negative value means no retry.
	MaxRetries int
}

// Context is the conversation of one key: its state and typed data,
// read and written through a [Storage]. Typed data is reached through the
// generic functions [GetData], [Set], [SetData] and [Update], since Go
// methods cannot have type parameters.
//
// A Context is meant to live for one update. The first read is cached, so
// a filter and a handler that both ask for the state cost one storage
// read; writes refresh the cache. [Update] always reads the storage again,
// so it never works on a value older than the last write by anyone. Every
// write is a compare-and-set on the record's version, retried on conflict,
// so concurrent writers (two instances, two fast taps) never lose an
// update. A Context is safe for concurrent use.
type Context struct {
	storage    backend.State
	key        Key
	ttl        time.Duration
	maxRetries int

	mu     sync.Mutex
	cached bool
	rec    Record
}

// NewContext returns the conversation of key in storage.
func NewContext(storage backend.State, key Key, opts Options) *Context {
	retries := opts.MaxRetries
	switch {
	case retries == 0:
		retries = DefaultMaxRetries
	case retries < 0:
		retries = 0
	}
	return &Context{storage: storage, key: key, ttl: opts.TTL, maxRetries: retries}
}

// Key returns the key of the conversation.
func (c *Context) Key() Key { return c.key }

// Storage returns the storage the conversation lives in.
func (c *Context) Storage() backend.State { return c.storage }

// Record returns the stored record of the conversation (Version 0 when
// there is none), from the cache when this Context has read or written it
// before. The returned Data is a copy.
func (c *Context) Record(ctx context.Context) (Record, error) {
	rec, err := c.load(ctx)
	if err != nil {
		return Record{}, err
	}
	if rec.Data != nil {
		rec.Data = append([]byte(nil), rec.Data...)
	}
	return rec, nil
}

// State returns the current state, [NoState] when there is none.
func (c *Context) State(ctx context.Context) (State, error) {
	rec, err := c.load(ctx)
	return State(rec.State), err
}

// SetState moves the conversation to s and keeps its data. Setting
// [NoState] keeps the data too; use [Context.Clear] to end a conversation.
func (c *Context) SetState(ctx context.Context, s State) error {
	if err := s.check(); err != nil {
		return err
	}
	return c.modify(ctx, true, func(rec *Record) error {
		rec.State = string(s)
		return nil
	})
}

// Clear deletes the conversation's state and data. It is also the way to
// reset a conversation whose stored data is corrupt ([ErrCorrupt]).
func (c *Context) Clear(ctx context.Context) error {
	if err := c.storage.Delete(ctx, c.key); err != nil {
		return &StoreError{Op: "clear", Key: c.key, Err: err}
	}
	c.setCache(Record{})
	return nil
}

// load returns the cached record or reads it.
func (c *Context) load(ctx context.Context) (Record, error) {
	c.mu.Lock()
	rec, ok := c.rec, c.cached
	c.mu.Unlock()
	if ok {
		return rec, nil
	}
	return c.read(ctx)
}

// read reads the record from the storage and caches it.
func (c *Context) read(ctx context.Context) (Record, error) {
	rec, err := c.storage.Get(ctx, c.key)
	if err != nil {
		return Record{}, &StoreError{Op: "read", Key: c.key, Err: err}
	}
	c.setCache(rec)
	return rec, nil
}

func (c *Context) setCache(rec Record) {
	c.mu.Lock()
	c.rec, c.cached = rec, true
	c.mu.Unlock()
}

func (c *Context) dropCache() {
	c.mu.Lock()
	c.rec, c.cached = Record{}, false
	c.mu.Unlock()
}

// modify is the read-modify-write loop behind every write: it reads the
// record (the cached one on the first attempt if useCache; a stale cache
// only costs a conflict, since the write is a compare-and-set), lets change
// edit a copy of it, and stores the result if the version is still the one
// read. On a conflict it waits a little and starts again, up to maxRetries
// times. An error from change aborts without writing.
func (c *Context) modify(ctx context.Context, useCache bool, change func(rec *Record) error) error {
	for attempt := 0; ; attempt++ {
		began := time.Now()
		read := c.read
		if attempt == 0 && useCache {
			read = c.load
		}
		rec, err := read(ctx)
		if err != nil {
			return err
		}
		expect := rec.Version
		if err := change(&rec); err != nil {
			return err
		}
		if err := State(rec.State).check(); err != nil {
			return err
		}
		v, err := c.storage.CompareAndSet(ctx, c.key, expect, rec, c.ttl)
		if err == nil {
			rec.Version = v
			c.setCache(rec)
			return nil
		}
		c.dropCache()
		if !errors.Is(err, ErrConflict) {
			return &StoreError{Op: "write", Key: c.key, Err: err}
		}
		if attempt >= c.maxRetries {
			return fmt.Errorf("fsm: write %s: gave up after %d attempts, other writers kept changing the key: %w", c.key, attempt+1, err)
		}
		if err := waitBackoff(ctx, attempt, time.Since(began)); err != nil {
			return fmt.Errorf("fsm: write %s: %w", c.key, err)
		}
	}
}

// waitBackoff sleeps a random duration below base<<attempt (base = the
// duration of the failed attempt, at least minBackoff; the shift is capped
// at maxBackoffShift), or until ctx is done.
func waitBackoff(ctx context.Context, attempt int, took time.Duration) error {
	base := max(took, minBackoff)
	p := backoff.Policy{Min: base, Max: base << maxBackoffShift, Jitter: backoff.Full}
	t := time.NewTimer(p.Delay(attempt))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
