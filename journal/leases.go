package journal

import (
	"context"
	"slices"
	"time"
)

// keepLeases renews the worker's partition leases and its membership
// every third of the lease until ctx ends. It never waits on the
// scheduler, so a full scheduler cannot cost the worker its partitions.
func (w *Worker) keepLeases(ctx context.Context) {
	t := time.NewTicker(w.cfg.Lease / 3)
	defer t.Stop()
	for {
		w.announce(ctx)
		w.renew(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// announce records the worker in the journal's membership.
func (w *Worker) announce(ctx context.Context) {
	if err := w.j.Announce(ctx, w.cfg.Owner, w.cfg.Lease); err != nil && ctx.Err() == nil {
		w.log.Warn("journal: could not announce the worker", "err", err)
	}
}

// renew extends the lease of every partition the worker owns. A lease
// that another owner holds now, or that ran out without a renewal, is
// lost: the partition's entries are the next owner's.
func (w *Worker) renew(ctx context.Context) {
	w.mu.Lock()
	var owned []*partition
	for _, pt := range w.parts {
		if !pt.lost {
			owned = append(owned, pt)
		}
	}
	w.mu.Unlock()
	for _, pt := range owned {
		sent := time.Now()
		ok, err := w.j.Own(ctx, pt.p, w.cfg.Owner, w.cfg.Lease)
		w.mu.Lock()
		if err == nil && ok && w.parts[pt.p] == nil {
			// Handed over while this renewal was in flight: Own takes a
			// free lease too, so it took back the one balance gave up.
			// Give it up again, or the next owner waits for it to run out.
			w.mu.Unlock()
			if err := w.j.Disown(context.WithoutCancel(ctx), pt.p, w.cfg.Owner); err != nil {
				w.log.Warn("journal: could not give a partition up; it is taken over when its lease ends", "partition", pt.p, "err", err)
			}
			continue
		}
		if ctx.Err() != nil {
			w.mu.Unlock()
			return
		}
		switch {
		case err == nil && ok:
			pt.valid = sent.Add(w.cfg.Lease)
		case err == nil || time.Now().After(pt.valid):
			pt.lost = true
			if w.parts[pt.p] == pt {
				delete(w.parts, pt.p)
			}
		}
		w.mu.Unlock()
		switch {
		case err != nil:
			w.log.Warn("journal: could not renew a partition lease", "partition", pt.p, "err", err)
		case !ok:
			w.log.Warn("journal: partition lease lost to another worker", "partition", pt.p)
		}
	}
}

// balance gives up the partitions that are another worker's share and
// takes the free ones of the worker's own share. Shares follow the sorted
// membership: partition p belongs to member p mod n.
func (w *Worker) balance(ctx context.Context, s Scheduler, h Handler, acks *acker) {
	members, err := w.j.Workers(ctx)
	if err != nil {
		w.log.Warn("journal: could not list the workers", "err", err)
		return
	}
	if !slices.Contains(members, w.cfg.Owner) {
		members = append(members, w.cfg.Owner)
		slices.Sort(members)
	}
	if !slices.Equal(members, w.members) {
		w.log.Info("journal: workers changed", "workers", len(members), "owner", w.cfg.Owner)
		w.members = members
	}
	me := slices.Index(members, w.cfg.Owner)
	mine := func(p int) bool { return p%len(members) == me }

	w.mu.Lock()
	var release []int
	for p, pt := range w.parts {
		if !mine(p) && !pt.leaving {
			pt.leaving = true
			w.log.Info("journal: handing a partition over", "partition", p)
		}
		if pt.leaving && pt.inFlight == 0 {
			release = append(release, p)
		}
	}
	for _, p := range release {
		delete(w.parts, p)
	}
	w.mu.Unlock()
	for _, p := range release {
		if err := w.j.Disown(ctx, p, w.cfg.Owner); err != nil {
			w.log.Warn("journal: could not give a partition up; it is taken over when its lease ends", "partition", p, "err", err)
		}
	}

	for p := range w.j.Partitions() {
		w.mu.Lock()
		_, have := w.parts[p]
		w.mu.Unlock()
		if have || !mine(p) || ctx.Err() != nil {
			continue
		}
		w.take(ctx, p, s, h, acks)
	}
}

// take owns partition p if it is free, and schedules what its previous
// owners left unacknowledged, in order, before anything newer is read.
func (w *Worker) take(ctx context.Context, p int, s Scheduler, h Handler, acks *acker) {
	sent := time.Now()
	ok, err := w.j.Own(ctx, p, w.cfg.Owner, w.cfg.Lease)
	if err != nil || !ok {
		if err != nil && ctx.Err() == nil {
			w.log.Warn("journal: could not take a partition", "partition", p, "err", err)
		}
		return
	}
	es, err := w.j.Reclaim(ctx, p, w.cfg.Owner, w.cfg.MaxDeliveries)
	if err != nil {
		w.log.Warn("journal: could not reclaim a partition's entries; giving it up", "partition", p, "err", err)
		_ = w.j.Disown(context.WithoutCancel(ctx), p, w.cfg.Owner)
		return
	}
	pt := &partition{p: p, valid: sent.Add(w.cfg.Lease)}
	w.mu.Lock()
	w.parts[p] = pt
	w.mu.Unlock()
	w.log.Info("journal: partition taken", "partition", p, "reclaimed", len(es))
	for i := range es {
		if err := w.submit(ctx, s, h, acks, &es[i]); err != nil {
			return
		}
	}
}
