package sched

import "sync/atomic"

// Stats is a snapshot of a [Scheduler]'s counters, read with atomic loads
// and without taking the scheduler's lock. Each field is exact, but the
// fields are read one after another, so a snapshot taken while tasks run
// may not satisfy the identities below exactly.
//
// Once the scheduler is idle:
// Submitted == Completed + Dropped, and Queued == Running == Keys == 0.
type Stats struct {
	Queued  int // tasks accepted and not started
	Running int // tasks running now (at most Config.Workers)
	Keys    int // keys with a queued or running task (idle keys are freed)
	Waiting int // Submit calls waiting for room

	Submitted uint64 // tasks accepted
	Completed uint64 // tasks that returned or panicked
	Panicked  uint64 // tasks that panicked (counted in Completed too)
	Rejected  uint64 // Submit/TrySubmit calls that returned an error
	Dropped   uint64 // accepted tasks discarded unstarted by Close's hard stop
}

// counters holds the values behind [Stats]. Writers hold Scheduler.mu,
// so they never race with each other; readers need no lock.
type counters struct {
	queued, running, keys, waiting                    atomic.Int64
	submitted, completed, panicked, rejected, dropped atomic.Uint64
}

// Stats returns a snapshot of the scheduler's counters. It is cheap
// (a few atomic loads) and safe to call at any time.
func (s *Scheduler[K]) Stats() Stats {
	c := &s.stats
	return Stats{
		Queued:    int(c.queued.Load()),
		Running:   int(c.running.Load()),
		Keys:      int(c.keys.Load()),
		Waiting:   int(c.waiting.Load()),
		Submitted: c.submitted.Load(),
		Completed: c.completed.Load(),
		Panicked:  c.panicked.Load(),
		Rejected:  c.rejected.Load(),
		Dropped:   c.dropped.Load(),
	}
}
