package broadcast

import (
	"context"
	"fmt"
	"iter"
	"net/http/httptrace"
	"sync"
	"time"

	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/tg"
)

// Run sends campaign id's message to its pending recipients and returns
// the campaign's progress when none is left, when ctx ends (after the
// requests already on their way have answered, within
// Options.StopGrace), or at the first failure of the Store.
//
// client should carry a limit.Limiter's middleware: Run sends as fast as
// the client lets it, Options.Concurrency calls at a time, each with
// limit.Bulk priority so that replies to users go first. Run first takes
// the campaign's lease (ErrBusy if another runner holds it) and settles
// the recipients a crashed run left in doubt (see the package
// documentation). Running it again after any stop resumes the campaign.
func Run(ctx context.Context, client *tg.Client, store Store, id int64, opts Options) (Progress, error) {
	opts.setDefaults()
	c, err := store.Campaign(ctx, id)
	if err != nil {
		return Progress{}, err
	}
	r := &runner{client: client, store: store, id: id, opts: &opts, owner: newOwner(), send: newSender(client, c)}
	if err := r.acquire(ctx); err != nil {
		return Progress{}, err
	}
	defer r.release()
	if err := r.settleInDoubt(ctx); err != nil {
		return Progress{}, err
	}
	if r.p, err = store.Progress(ctx, id); err != nil {
		return Progress{}, err
	}
	r.start = time.Now()
	r.report()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r.fail = cancel
	stopLease := r.keepLease(ctx)
	defer stopLease()

	jobs := make(chan job)
	var workers sync.WaitGroup
	for range opts.Concurrency {
		workers.Go(func() {
			for j := range jobs {
				r.handle(ctx, j.rec)
				j.done()
			}
		})
	}
	err = r.feed(ctx, jobs)
	close(jobs)
	workers.Wait()
	if cause := context.Cause(ctx); err == nil && cause != nil {
		err = cause
	}
	return r.snapshot(), err
}

// runner is one Run.
type runner struct {
	client *tg.Client
	store  Store
	id     int64
	opts   *Options
	owner  string
	send   sender
	fail   context.CancelCauseFunc // stops the run with an error

	mu    sync.Mutex // guards p, done and calls of OnProgress
	p     Progress
	start time.Time
	done  int // final results of this run

	until time.Time // end of the lease held
}

type job struct {
	rec  Recipient
	done func()
}

// feed hands the pending recipients to the workers in order. Recipients
// put back to Pending (transient failures) are picked up by the next
// pass, which starts when every send of this one has finished; there are
// at most MaxAttempts+1 passes.
func (r *runner) feed(ctx context.Context, jobs chan<- job) error {
	for range r.opts.MaxAttempts + 1 {
		var pass sync.WaitGroup
		fed := 0
		for rec, err := range r.recipients(ctx, Pending) {
			if err != nil {
				pass.Wait()
				return err
			}
			pass.Add(1)
			select {
			case jobs <- job{rec, pass.Done}:
				fed++
			case <-ctx.Done():
				pass.Done()
				pass.Wait()
				return context.Cause(ctx)
			}
		}
		pass.Wait()
		if fed == 0 || ctx.Err() != nil {
			return context.Cause(ctx)
		}
	}
	return nil
}

// handle sends to one recipient and records the outcome.
func (r *runner) handle(ctx context.Context, rec Recipient) {
	res, beginErr := r.attempt(ctx, rec)
	if beginErr != nil {
		// The request went without its Sending mark; record the result
		// if possible, but stop: the store is failing.
		r.fail(fmt.Errorf("broadcast: campaign %d: mark chat %d sending: %w", r.id, rec.Chat, beginErr))
	}
	if err := r.store.Finish(context.WithoutCancel(ctx), r.id, res, time.Now()); err != nil {
		r.fail(fmt.Errorf("broadcast: campaign %d: record chat %d: %w", r.id, rec.Chat, err))
		return
	}
	if r.opts.OnResult != nil && res.Attempts > rec.Attempts {
		r.opts.OnResult(res) // an attempt (not a send stopped before it left)
	}
	if res.Status == Pending {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	addProgress(&r.p, Pending, res.Status)
	r.done++
	r.reportLocked()
}

// attempt makes one call for rec. The recipient is marked Sending in the
// store at the last moment before the request leaves: when the HTTP
// transport has a connection for it (httptrace GotConn), after the
// limiter's wait. Once it has left, ending ctx no longer cancels it: it
// has StopGrace to answer, so that its result is known.
func (r *runner) attempt(ctx context.Context, rec Recipient) (Recipient, error) {
	var (
		mu       sync.Mutex
		left     bool
		beginErr error
	)
	callCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !left {
			cancel()
			return
		}
		time.AfterFunc(r.opts.StopGrace, cancel) // real time: it bounds a real request
	})
	defer stop()
	trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) {
		err := r.store.Begin(context.WithoutCancel(ctx), r.id, rec.Chat, time.Now())
		mu.Lock()
		left = true
		beginErr = err
		mu.Unlock()
	}}
	callCtx = httptrace.WithClientTrace(limit.WithPriority(callCtx, limit.Bulk), trace)
	msgID, err := r.send.send(callCtx, rec.Chat)
	rec.Attempts++
	mu.Lock()
	defer mu.Unlock()
	return outcome(rec, msgID, err, left, ctx.Err() != nil, r.opts), beginErr
}

// settleInDoubt decides the fate of recipients a previous run left
// Sending: Skipped (at most once), or Pending with ResendInDoubt.
func (r *runner) settleInDoubt(ctx context.Context) error {
	n := 0
	for rec, err := range r.recipients(ctx, Sending) {
		if err != nil {
			return err
		}
		rec.Status, rec.Error = Skipped, "in doubt: the run stopped while the request was on its way; not sent again"
		if r.opts.ResendInDoubt {
			rec.Status, rec.Error = Pending, "in doubt: sent again"
		}
		if err := r.store.Finish(ctx, r.id, rec, time.Now()); err != nil {
			return err
		}
		n++
	}
	if n > 0 {
		r.opts.Logger.Warn("broadcast: recipients in doubt after a stop", "campaign", r.id, "count", n, "sent_again", r.opts.ResendInDoubt)
	}
	return nil
}

// recipients yields the campaign's recipients in state st, in Seq order,
// reading them a page of Options.PageSize at a time; a failing read
// yields the Store's error and ends the sequence.
func (r *runner) recipients(ctx context.Context, st Status) iter.Seq2[Recipient, error] {
	return func(yield func(Recipient, error) bool) {
		for after := int64(0); ; {
			page, err := r.store.Recipients(ctx, r.id, st, after, r.opts.PageSize)
			if err != nil {
				yield(Recipient{}, err)
				return
			}
			if len(page) == 0 {
				return
			}
			for _, rec := range page {
				after = rec.Seq
				if !yield(rec, nil) {
					return
				}
			}
		}
	}
}

// snapshot returns the progress with the rate of this run.
func (r *runner) snapshot() Progress {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.progressLocked()
}

func (r *runner) progressLocked() Progress {
	p := r.p
	p.Elapsed = time.Since(r.start)
	if p.Elapsed > 0 && r.done > 0 {
		p.Rate = float64(r.done) / p.Elapsed.Seconds()
		p.ETA = time.Duration(float64(p.Remaining()) / p.Rate * float64(time.Second))
	}
	return p
}

func (r *runner) report() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reportLocked()
}

func (r *runner) reportLocked() {
	if r.opts.OnProgress != nil {
		r.opts.OnProgress(r.progressLocked())
	}
}
