package jobs

import (
	"time"

	"github.com/riverqueue/river"
)

// Periodic adds a job inserted every interval (by the one client that
// leads River's maintenance among those sharing the database, so once per
// interval whatever the number of instances); construct gives its args
// and options each time. runOnStart inserts one as soon as the leader
// starts too. Call it before Start. id names the periodic job (for
// River's durable schedule); give each a distinct one.
func (c *Client) Periodic(id string, interval time.Duration, construct func() (river.JobArgs, *river.InsertOpts), runOnStart bool) error {
	return c.PeriodicSchedule(id, river.PeriodicInterval(interval), construct, runOnStart)
}

// PeriodicSchedule is Periodic with any River schedule (a cron
// expression's, for example).
func (c *Client) PeriodicSchedule(id string, schedule river.PeriodicSchedule, construct func() (river.JobArgs, *river.InsertOpts), runOnStart bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started {
		return ErrStarted
	}
	c.periodic = append(c.periodic, river.NewPeriodicJob(schedule, construct, &river.PeriodicJobOpts{ID: id, RunOnStart: runOnStart}))
	return nil
}
