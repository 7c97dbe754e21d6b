package broadcast

import (
	"context"
	"fmt"
	"time"
)

// acquire takes the campaign's lease, over a killed local runner's too.
func (r *runner) acquire(ctx context.Context) error {
	now := time.Now()
	until := now.Add(r.opts.LeaseTTL)
	l, ok, err := r.store.Lease(ctx, r.id, "", r.owner, until, now)
	if err == nil && !ok && deadOwner(l.Owner) {
		r.opts.Logger.Info("broadcast: taking over the lease of a killed runner", "campaign", r.id, "owner", l.Owner)
		l, ok, err = r.store.Lease(ctx, r.id, l.Owner, r.owner, until, now)
	}
	if err != nil {
		return fmt.Errorf("broadcast: campaign %d: lease: %w", r.id, err)
	}
	if !ok {
		return fmt.Errorf("%w: campaign %d is held by %s until %s", ErrBusy, r.id, l.Owner, l.Until.Format(time.RFC3339))
	}
	r.until = until
	return nil
}

// release gives the lease back (best effort: it expires anyway).
func (r *runner) release() {
	now := time.Now()
	_, _, _ = r.store.Lease(context.Background(), r.id, r.owner, "", time.Time{}, now)
}

// keepLease renews the lease every LeaseTTL/3 until the returned stop is
// called. If the lease is taken over, or cannot be renewed before it
// ends, the run fails with ErrLeaseLost.
func (r *runner) keepLease(ctx context.Context) (stop func()) {
	tick := make(chan struct{}, 1)
	done := make(chan struct{})
	arm := func() *time.Timer {
		return time.AfterFunc(r.opts.LeaseTTL/3, func() {
			select {
			case tick <- struct{}{}:
			default:
			}
		})
	}
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			t := arm()
			select {
			case <-done:
				t.Stop()
				return
			case <-tick:
			}
			if err := r.renew(ctx); err != nil {
				r.fail(err)
				return
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

func (r *runner) renew(ctx context.Context) error {
	now := time.Now()
	until := now.Add(r.opts.LeaseTTL)
	l, ok, err := r.store.Lease(context.WithoutCancel(ctx), r.id, r.owner, r.owner, until, now)
	switch {
	case err == nil && ok:
		r.until = until
		return nil
	case err == nil:
		return fmt.Errorf("%w: now held by %s", ErrLeaseLost, l.Owner)
	case !now.Before(r.until):
		return fmt.Errorf("%w: %v", ErrLeaseLost, err)
	}
	r.opts.Logger.Warn("broadcast: lease renewal failed; retrying", "campaign", r.id, "err", err)
	return nil
}
