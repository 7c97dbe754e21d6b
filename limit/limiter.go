package limit

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/tg"
)

// Limiter keeps one bot's outbound calls within Telegram's limits. Put its
// Middleware on the bot's tg.Client; it is safe for concurrent use. Create
// one Limiter per bot (or share its Store between the Limiters of one
// bot).
type Limiter struct {
	cfg   Config
	store backend.LimitStore
	free  gate // callers of the global budget
	paid  gate // callers of the paid-broadcast budget
	seq   atomic.Uint64

	waiting  atomic.Int64
	granted  atomic.Uint64
	tooMany  atomic.Uint64
	retried  atomic.Uint64
	waitedNs atomic.Int64
}

// maxAttempts bounds how often one call asks the Store before giving up.
// Every attempt but the last is followed by a wait the Store asked for,
// so it is never reached in practice: at 25 messages/s, that many refusals
// take several minutes even for the last caller of a large backlog.
const maxAttempts = 100_000

// errTooManyAttempts is returned if a call exhausted maxAttempts.
var errTooManyAttempts = errors.New("limit: gave up after too many attempts")

// New returns a Limiter with cfg (zero fields take their defaults).
func New(cfg Config) *Limiter {
	cfg.setDefaults()
	l := &Limiter{cfg: cfg, store: cfg.Store}
	l.free = gate{waiting: &l.waiting}
	l.paid = gate{waiting: &l.waiting}
	return l
}

// Middleware returns the tg.Middleware that makes every counted call wait
// for its turn (see the package documentation) and handles 429 answers:
// a 429 to a call that names a chat pauses the calls into that chat for
// its retry_after, one to a call without a chat pauses every counted call
// of the bot; then the refused call is repeated. Calls that do not count
// pass straight through; a 429 they get still pauses the others.
func (l *Limiter) Middleware() tg.Middleware {
	return func(next tg.Caller) tg.Caller {
		return tg.CallerFunc(func(ctx context.Context, method string, params, result any) error {
			return l.call(ctx, next, method, params, result)
		})
	}
}

func (l *Limiter) call(ctx context.Context, next tg.Caller, method string, params, result any) error {
	how := l.cfg.Methods[method]
	if how == NotCounted {
		err := next.Call(ctx, method, params, result)
		if retryAfter, ok := tg.IsTooManyRequests(err); ok {
			if perr := l.pause(ctx, targetOf(params).chat, retryAfter); perr != nil {
				return errors.Join(err, perr)
			}
		}
		return err
	}
	req, g := l.request(how, params)
	// One waiter for all attempts: a call repeated after a 429 keeps its
	// place in the queue.
	w := &waiter{prio: PriorityFrom(ctx), seq: l.seq.Add(1), index: -1}
	for attempt := 0; ; attempt++ {
		if err := l.wait(ctx, req, g, w); err != nil {
			return fmt.Errorf("limit: %s: %w", method, err)
		}
		err := next.Call(ctx, method, params, result)
		retryAfter, ok := tg.IsTooManyRequests(err)
		if !ok {
			return err
		}
		if perr := l.pause(ctx, req.Chat, retryAfter); perr != nil {
			return errors.Join(err, perr)
		}
		if attempt >= l.cfg.MaxRetries || retryAfter > l.cfg.MaxRetryAfter {
			return err
		}
		// Telegram refused the call without executing it: repeating it
		// cannot duplicate a message.
		l.retried.Add(1)
	}
}

// pause records a 429: the senders into chat, or every sender of the bot
// when chat is zero, wait retryAfter.
func (l *Limiter) pause(ctx context.Context, chat tg.ChatID, retryAfter time.Duration) error {
	l.tooMany.Add(1)
	if retryAfter <= 0 {
		retryAfter = defaultRetryAfter
	}
	if err := l.store.Pause(context.WithoutCancel(ctx), chat, retryAfter); err != nil {
		return fmt.Errorf("limit: pausing senders after a 429: %w", err)
	}
	return nil
}

// request builds the Store request of a counted call.
func (l *Limiter) request(how Counting, params any) (*Request, *gate) {
	t := targetOf(params)
	rb := &requestBuf{Request: Request{N: 1, Chat: t.chat}}
	r := &rb.Request
	r.Buckets = rb.buckets[:0]
	if how == PerItem && t.items > 1 {
		r.N = t.items
	}
	g := &l.free
	global := Bucket{Scope: ScopeGlobal, Rate: l.cfg.Global}
	if t.paid && l.cfg.PaidBroadcast {
		g, global = &l.paid, Bucket{Scope: ScopePaid, Rate: l.cfg.Paid}
	}
	if !global.Rate.Off() {
		r.Buckets = append(r.Buckets, global)
	}
	if !t.chat.IsZero() {
		if !l.cfg.Chat.Off() {
			r.Buckets = append(r.Buckets, Bucket{Scope: ScopeChat, Chat: t.chat, Rate: l.cfg.Chat})
		}
		if t.isGroup() && !l.cfg.Group.Off() {
			r.Buckets = append(r.Buckets, Bucket{Scope: ScopeGroup, Chat: t.chat, Rate: l.cfg.Group})
		}
	}
	return r, g
}

// requestBuf is a Request with room for its buckets (a global, a chat and
// a group one), so that a counted call allocates them at once.
type requestBuf struct {
	Request
	buckets [3]Bucket
}

// wait blocks until r fits in the Store's buckets and takes it, or
// returns ctx's error. g is the gate of r's global bucket; w is the
// caller's place in it.
func (l *Limiter) wait(ctx context.Context, r *Request, g *gate, w *waiter) error {
	start := time.Now()
	var hold time.Duration // > 0: we hold the turn and the gate must sleep
	for range maxAttempts {
		if err := g.enter(ctx, w, hold); err != nil {
			return err
		}
		v, err := l.store.Take(ctx, r)
		if err != nil {
			g.leave()
			return err
		}
		if v.Wait <= 0 {
			g.leave()
			l.granted.Add(1)
			if d := time.Since(start); d > 0 {
				l.waitedNs.Add(int64(d))
			}
			return nil
		}
		if v.Scope.Shared() {
			hold = v.Wait // everyone behind us would wait as long
			continue
		}
		// Our chat is busy or paused: step aside so that other chats go
		// on.
		hold = 0
		g.leave()
		if err := sleep(ctx, &l.waiting, v.Wait); err != nil {
			return err
		}
	}
	return errTooManyAttempts
}

// Stats are a Limiter's counters since New.
type Stats struct {
	// Waiting is the number of calls waiting now.
	Waiting int
	// Granted counts counted calls let through (each attempt counts).
	Granted uint64
	// TooManyRequests counts 429 answers seen.
	TooManyRequests uint64
	// Retried counts calls repeated after a 429.
	Retried uint64
	// Waited is the total time calls spent waiting.
	Waited time.Duration
}

// Stats returns the Limiter's counters.
func (l *Limiter) Stats() Stats {
	return Stats{
		Waiting:         int(l.waiting.Load()),
		Granted:         l.granted.Load(),
		TooManyRequests: l.tooMany.Load(),
		Retried:         l.retried.Load(),
		Waited:          time.Duration(l.waitedNs.Load()),
	}
}
