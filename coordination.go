package herald

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/backoff"
	"github.com/heraldbot/herald/tg"
)

const (
	// DedupTTL is how long a handled update id is remembered in a shared
	// claim store: Telegram keeps undelivered updates for 24 hours.
	DedupTTL = 24 * time.Hour
	// ClaimLease is the lease of an update's claim and of a Once claim.
	// The holder renews it every third of the lease while it works, so a
	// process that died frees its claims after at most this long.
	ClaimLease = 5 * time.Second
	// DefaultLockLease is the lease of a chat lock (WithLocker with ttl 0),
	// renewed while held, so a dead holder delays its chat by about this
	// long at most.
	DefaultLockLease = 3 * time.Second
	// claimPoll is how often a copy waiting on a pending claim looks again.
	claimPoll = 250 * time.Millisecond
)

// coordination holds the shared-backend helpers a bot may use.
type coordination struct {
	claims    backend.Claims // update claims (dedup): shared, or local by default
	claimsSet bool           // by WithDedup, so WithBackend leaves them
	lockerSet bool           // by WithLocker (nil: no locks), likewise
	once      backend.Claims // behind Context.Once; nil: Once fails
	locker    backend.Locker
	lockTTL   time.Duration
	owners    ownerIDs
	outage    outage
}

// WithDedup claims every update in c before it is scheduled, so that
// however many copies of an update reach however many instances sharing
// c (Telegram re-delivers a webhook whose answer timed out, a crashed
// poller's updates come again), its handler runs once. A copy that
// arrives while the first runs is not handled: a webhook answers it 503
// (Telegram tries again later and then gets 200), a poller waits for the
// claim. Handled ids are remembered for DedupTTL; the claim of an update
// whose process died lapses after ClaimLease, and the update is handled
// again. c comes from a backend package (memory, SQLite, Redis); it is
// also the store of Context.Once unless WithMarker sets another.
//
// Without WithDedup a bot removes duplicates within its own process only.
func WithDedup(c backend.Claims) Option {
	return func(b *Bot) error {
		if c == nil {
			return errors.New("herald: WithDedup(nil)")
		}
		b.coord.claims, b.coord.claimsSet = c, true
		if b.coord.once == nil {
			b.coord.once = c
		}
		return nil
	}
}

// WithMarker sets the store behind Context.Once (idempotent actions).
func WithMarker(c backend.Claims) Option {
	return func(b *Bot) error {
		if c == nil {
			return errors.New("herald: WithMarker(nil)")
		}
		b.coord.once = c
		return nil
	}
}

// WithLocker makes the bot hold a per-chat lock from l while it handles an
// update, so that instances sharing a backend never handle one chat at
// once; ttl is the lease (renewed while held; 0 means DefaultLockLease), so
// a chat whose holder died waits about ttl. Use it when several instances
// receive updates for the same bot (webhooks behind a load balancer);
// WithBackend does it with the engine's Locker. A nil l turns chat locks
// off, including the engine's.
func WithLocker(l backend.Locker, ttl time.Duration) Option {
	return func(b *Bot) error {
		if ttl <= 0 {
			ttl = DefaultLockLease
		}
		b.coord.locker, b.coord.lockTTL, b.coord.lockerSet = l, ttl, true
		return nil
	}
}

// ErrNoMarker is returned by Once when the bot has no claim store
// (WithMarker or WithDedup).
var ErrNoMarker = errors.New("herald: Once needs a claim store (herald.WithMarker or herald.WithDedup)")

// Once runs fn only if no call of Once with the same name ran it to the
// end before (within ttl), in this or any instance sharing the store:
// "confirm order 42 once, however often the button is pressed". It
// reports whether fn ran.
//
// It works in two phases. The name is first claimed, pending, with a
// lease of ClaimLease that is renewed while fn runs; a concurrent call
// with the same name waits for the outcome. When fn returns nil the name
// is marked done for ttl and later calls return (false, nil) without
// running fn. When fn fails the claim is released and the error returned,
// so a later call tries again. If the process dies inside fn, the claim
// lapses after the lease and the next call (the re-delivered update) runs
// fn again.
//
// So fn runs to completion at most once per ttl, but an fn interrupted by
// a crash may have done part of its work and runs again: make its effect
// a single step (one message, one row), or write it in the same database
// transaction as the mark (see package txonce) when it is SQL.
func (c *Context) Once(name string, ttl time.Duration, fn func() error) (ran bool, err error) {
	store := c.bot.coord.once
	if store == nil {
		return false, ErrNoMarker
	}
	if ttl <= 0 {
		return false, fmt.Errorf("herald: once %q: ttl must be positive", name)
	}
	cl := c.bot.newClaim(store, "once:"+name)
	st, err := cl.take(c, false)
	if err != nil {
		return false, fmt.Errorf("herald: once %q: %w", name, err)
	}
	if st == backend.Done {
		return false, nil
	}
	if err := fn(); err != nil {
		cl.release(c)
		return true, err
	}
	cl.finish(c, ttl)
	return true, nil
}

// ownerIDs makes claim owners unique across processes: a random prefix
// per bot and a counter.
type ownerIDs struct {
	once   sync.Once
	prefix string
	n      atomic.Uint64
}

func (o *ownerIDs) next() string {
	o.once.Do(func() {
		var b [8]byte
		_, _ = rand.Read(b[:])
		o.prefix = hex.EncodeToString(b[:]) + "-"
	})
	return o.prefix + strconv.FormatUint(o.n.Add(1), 10)
}

// claim is one claim attempt on a name, renewed while pending.
type claim struct {
	b      *Bot
	store  backend.Claims
	name   string
	owner  string
	lease  time.Duration
	renews bool // a shared store: leases must be renewed

	mu    sync.Mutex
	timer *time.Timer // next renewal; nil when not renewing
	held  bool
}

func (b *Bot) newClaim(store backend.Claims, name string) *claim {
	switch store.(type) {
	case *localClaims, noClaims:
		// In one process only held claims are finished or released, so
		// owners need not be told apart, and leases need no renewal.
		return &claim{b: b, store: store, name: name, owner: "local", lease: ClaimLease}
	}
	return &claim{b: b, store: store, name: name, owner: b.coord.owners.next(), lease: ClaimLease, renews: true}
}

// claim tries to take the name; when it gets it, renewal starts.
func (cl *claim) claim(ctx context.Context) (backend.ClaimStatus, error) {
	st, err := cl.store.Claim(ctx, cl.name, cl.owner, cl.lease)
	if err != nil {
		return 0, fmt.Errorf("herald: claim %s: %w", cl.name, err)
	}
	if st == backend.Claimed {
		cl.mu.Lock()
		cl.held = true
		if cl.renews {
			cl.timer = time.AfterFunc(cl.lease/3, cl.renew)
		}
		cl.mu.Unlock()
	}
	return st, nil
}

// storeRetry is the back-off between attempts while a store fails:
// 100 ms doubling up to 5 s, without jitter (each update retries on its
// own schedule already).
var storeRetry = backoff.Policy{Min: 100 * time.Millisecond, Max: 5 * time.Second}

// take claims the name and returns backend.Claimed or backend.Done. While
// another copy holds the name it looks again every claimPoll; when the
// store fails it returns the error (matching ErrUnavailable) or, with
// retry, tries again with back-off. It gives up when ctx ends. Failures
// are reported to the bot's outage log.
func (cl *claim) take(ctx context.Context, retry bool) (backend.ClaimStatus, error) {
	failures := backoff.Counter{Policy: storeRetry}
	for {
		st, err := cl.claim(ctx)
		switch {
		case err == nil && st != backend.Pending:
			return st, nil
		case err == nil:
			err = fmt.Errorf("herald: waiting for %s, claimed by another copy", cl.name)
			if backoff.Sleep(ctx, claimPoll) != nil {
				return 0, asUnavailable(fmt.Errorf("%w: %w", err, context.Cause(ctx)))
			}
			continue
		}
		err = asUnavailable(err)
		cl.b.coord.outage.fail(ctx, cl.b.log, err, "claim", cl.name)
		if !retry || backoff.Sleep(ctx, failures.Next()) != nil {
			return 0, err
		}
	}
}

// renew extends the lease and schedules the next renewal. The store is
// called without holding mu, so finishing a claim never waits for a slow
// renewal; an Extend that lands after the Finish fails harmlessly.
func (cl *claim) renew() {
	cl.mu.Lock()
	held := cl.held
	cl.mu.Unlock()
	if !held {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), cl.lease/3)
	err := cl.store.Extend(ctx, cl.name, cl.owner, cl.lease)
	cancel()
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if !cl.held {
		return // finished or released meanwhile
	}
	switch {
	case errors.Is(err, backend.ErrClaimLost):
		cl.b.log.Warn("claim lost while its work was running (its lease passed): another copy may run too", "claim", cl.name)
		cl.held = false
		return
	case err != nil:
		cl.b.log.Warn("could not renew a claim; retrying", "claim", cl.name, "err", err)
	}
	cl.timer = time.AfterFunc(cl.lease/3, cl.renew)
}

// isHeld reports whether the claim is held (claimed and not yet finished
// or released).
func (cl *claim) isHeld() bool {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return cl.held
}

// stop ends renewal and reports whether the claim was still held.
func (cl *claim) stop() bool {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.timer != nil {
		cl.timer.Stop()
		cl.timer = nil
	}
	held := cl.held
	cl.held = false
	return held
}

// finish marks the name done for ttl. On a shared store that fails, it
// tries again with back-off, keeping the claim renewed, until the store
// answers, the claim is lost or ctx ends: the chat's next update waits
// meanwhile, so a finished update is never left pending (to run again
// after a crash) behind a later one that was finished.
func (cl *claim) finish(ctx context.Context, ttl time.Duration) {
	op := func(ctx context.Context) error { return cl.store.Finish(ctx, cl.name, cl.owner, ttl) }
	if cl.renews {
		failures := backoff.Counter{Policy: storeRetry}
		for cl.isHeld() {
			octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cl.lease)
			err := op(octx)
			cancel()
			if err == nil || errors.Is(err, backend.ErrClaimLost) {
				if cl.stop() && err != nil {
					cl.b.log.WarnContext(ctx, "claim lost before its work was recorded finished: a copy may run again", "claim", cl.name)
				}
				return
			}
			if ctx.Err() != nil {
				break
			}
			d := failures.Next()
			cl.b.log.WarnContext(ctx, "could not record finished work; retrying", "claim", cl.name, "err", err, "retry_in", d)
			if backoff.Sleep(ctx, d) != nil {
				break
			}
		}
	}
	cl.settle(ctx, "could not record finished work: a copy delivered again may run it again", op)
}

// release frees the name so that another copy can take it at once.
func (cl *claim) release(ctx context.Context) {
	cl.settle(ctx, "could not release a claim; it lapses after its lease", func(ctx context.Context) error {
		return cl.store.Release(ctx, cl.name, cl.owner)
	})
}

// settle ends a held claim with op (Finish or Release), logging failure
// as failed. On a shared store op is bounded by the lease and runs even
// after ctx was cancelled.
func (cl *claim) settle(ctx context.Context, failed string, op func(context.Context) error) {
	if !cl.stop() {
		return
	}
	if cl.renews {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), cl.lease)
		defer cancel()
	}
	if err := op(ctx); err != nil {
		cl.b.log.WarnContext(ctx, failed, "claim", cl.name, "err", err)
	}
}

// updateClaim returns the claim of an update: update:<bot id>:<update id>
// in the bot's claim store, or one that always succeeds for an update
// without an id.
func (b *Bot) updateClaim(u *tg.Update) *claim {
	if u.UpdateID <= 0 {
		return b.newClaim(noClaims{}, "update:none")
	}
	return b.newClaim(b.coord.claims, b.updateClaimName(u))
}

// updateClaimName names an update's claim, scoped by bot.
func (b *Bot) updateClaimName(u *tg.Update) string {
	var buf [7 + 2*20 + 1]byte
	out := append(buf[:0], "update:"...)
	out = strconv.AppendInt(out, b.client.BotID(), 10)
	out = append(out, ':')
	out = strconv.AppendInt(out, u.UpdateID, 10)
	return string(out)
}

// lockChat takes the update's chat lock when a Locker is configured.
func (b *Bot) lockChat(ctx context.Context, u *tg.Update) (unlock func(), err error) {
	if b.coord.locker == nil {
		return func() {}, nil
	}
	name := "chat:" + strconv.FormatInt(UpdateKey(u), 10)
	lockCtx := ctx
	var span trace.Span
	if b.tracer != nil {
		lockCtx, span = b.lockSpan(ctx, UpdateKey(u))
	}
	l, err := b.coord.locker.Lock(lockCtx, name, b.coord.lockTTL)
	if span != nil {
		endSpan(span, err)
	}
	if err != nil {
		return nil, asUnavailable(fmt.Errorf("herald: lock %s: %w", name, err))
	}
	return func() {
		if err := l.Unlock(context.WithoutCancel(ctx)); err != nil {
			b.log.WarnContext(ctx, "unlock failed", "lock", name, "err", err)
		}
	}, nil
}
