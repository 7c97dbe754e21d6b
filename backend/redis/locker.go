package redis

import (
	"context"
	crand "crypto/rand"
	"errors"
	"net"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/internal/lease"
	"github.com/heraldbot/herald/internal/backoff"
)

// acquireScript takes the lock and draws the fencing token in one step.
//
//	KEYS[1]  lock key     KEYS[2]  fence counter
//	ARGV[1]  owner token  ARGV[2]  lease in milliseconds
//
// Returns the fencing token (>= 1) when the lock was taken, otherwise minus
// the holder's remaining lease in milliseconds (<= 0), a hint for how long
// to wait. A missing counter (a new bot, or a Redis that lost its data)
// starts at the server's clock in microseconds, above every token the
// lost counter can have handed out.
var acquireScript = goredis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  if redis.call('EXISTS', KEYS[2]) == 0 then
    local t = redis.call('TIME')
    redis.call('SET', KEYS[2], t[1] .. string.format('%06d', tonumber(t[2])))
  end
  return redis.call('INCR', KEYS[2])
end
local pttl = redis.call('PTTL', KEYS[1])
if pttl > 0 then return -pttl end
return 0
`)

// extendScript renews the lease if the caller still owns the lock.
//
//	KEYS[1]  lock key  ARGV[1]  owner token  ARGV[2]  lease in milliseconds
//
// Returns 1 when renewed, 0 when the lock is someone else's or gone.
var extendScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)

// releaseScript deletes the lock if the caller still owns it.
//
//	KEYS[1]  lock key  ARGV[1]  owner token
//
// Returns 1 when released, 0 when the lock is someone else's or gone.
var releaseScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// Lock takes the lock on name, waiting with jittered exponential back-off
// (Options.LockRetryMin to LockRetryMax, never longer than the holder's
// remaining lease) until it is free or ctx is done. ttl is the lease
// (Options.LockTTL when ttl <= 0); while the lock is held a goroutine renews
// it every ttl/3, so only a crashed or partitioned holder loses it, after at
// most ttl. The fencing token comes from one counter per bot, incremented
// in the same script that takes the lock, so it grows with every
// acquisition of every name; it keeps growing when Redis loses the counter
// (a restart without persistence), because a new counter starts at the
// server's clock in microseconds, as long as the bot takes fewer than a
// million locks per second and the server's clock does not go back.
//
// A Redis error ends the wait at once with that error: callers fail fast
// while Redis is away instead of hanging until ctx ends.
func (s *Store) Lock(ctx context.Context, name string, ttl time.Duration) (backend.Lock, error) {
	k := s.nameKey("lock", name)
	if err := ctx.Err(); err != nil {
		return nil, opError("lock", k, err)
	}
	if ttl <= 0 {
		ttl = s.opts.LockTTL
	}
	owner := crand.Text()
	ms := millis(ttl)
	keys := []string{k, s.fence}
	wait := backoff.Counter{Policy: backoff.Policy{Min: s.opts.LockRetryMin, Max: s.opts.LockRetryMax, Jitter: backoff.Equal}}
	var timer *time.Timer
	for {
		n, err := acquireScript.Run(ctx, s.client, keys, owner, ms).Int64()
		if err != nil {
			if mayHaveReachedServer(err) {
				// The request may have taken the lock before the reply was
				// lost: give it back rather than block the name for ttl, in
				// the background so that the caller is not held up.
				go s.release(k, owner)
			}
			return nil, opError("lock", k, err)
		}
		if n > 0 {
			return s.held(k, owner, n, ttl), nil
		}
		d := wait.Next()
		if hint := time.Duration(-n) * time.Millisecond; hint > 0 && hint < d {
			d = hint
		}
		if timer == nil {
			timer = time.NewTimer(d)
			defer timer.Stop()
		} else {
			timer.Reset(d)
		}
		select {
		case <-ctx.Done():
			return nil, opError("lock", k, ctx.Err())
		case <-timer.C:
		}
	}
}

// mayHaveReachedServer reports whether a failed command may still have run
// on the server: timeouts and cancellations, as opposed to failures to
// connect or Redis error replies.
func mayHaveReachedServer(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	nerr, ok := errors.AsType[net.Error](err)
	return ok && nerr.Timeout()
}

// release gives back a lock that may have been taken by a request whose
// reply was lost, with a short deadline of its own.
func (s *Store) release(key, owner string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	releaseScript.Run(ctx, s.client, []string{key}, owner)
}

// held starts the renewal of a lock just taken.
func (s *Store) held(key, owner string, token int64, ttl time.Duration) *lock {
	ctx, cancel := context.WithCancel(context.Background())
	l := &lock{
		s:      s,
		key:    key,
		owner:  owner,
		token:  token,
		cancel: cancel,
		done:   make(chan struct{}),
	}
	go l.renew(ctx, ttl)
	return l
}

// lock is a held Redis lock.
type lock struct {
	s      *Store
	key    string
	owner  string
	token  int64
	cancel context.CancelFunc // stops the renewal
	done   chan struct{}      // closed when the renewal has stopped

	mu       sync.Mutex
	released bool  // Unlock got an answer from Redis
	result   error // and this was it
}

// Token returns the fencing token of this acquisition.
func (l *lock) Token() int64 { return l.token }

// renew extends the lease every ttl/3 while it is still ours. A failed
// renewal (Redis away) is retried at the next tick: if Redis comes back
// before the lease ends the lock survives; if not, the extend script finds
// the lock gone or someone else's and the renewal stops.
func (l *lock) renew(ctx context.Context, ttl time.Duration) {
	defer close(l.done)
	every := lease.Period(ttl)
	ms := millis(ttl)
	keys := []string{l.key}
	lease.Keep(ctx, ttl, func() bool {
		rctx, cancel := context.WithTimeout(ctx, every)
		n, err := extendScript.Run(rctx, l.s.client, keys, l.owner, ms).Int64()
		cancel()
		switch {
		case err == nil && n == 0:
			return false // lost: Unlock will report backend.ErrLockLost
		case errors.Is(err, goredis.ErrClosed):
			return false // the client was closed: nothing more to renew with
		}
		return true
	})
}

// Unlock stops the renewal and releases the lock if it is still ours;
// otherwise it returns an error wrapping backend.ErrLockLost. After an answer
// from Redis further calls return the same result; after a Redis error the
// lock is no longer renewed and Unlock may be called again.
func (l *lock) Unlock(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return l.result
	}
	// Stop renewing. An extend still in flight is harmless: it renews
	// nothing once the release below has run.
	l.cancel()
	n, err := releaseScript.Run(ctx, l.s.client, []string{l.key}, l.owner).Int64()
	if err != nil {
		return opError("unlock", l.key, err)
	}
	l.released = true
	if n == 0 {
		l.result = opError("unlock", l.key, backend.ErrLockLost)
	}
	return l.result
}
