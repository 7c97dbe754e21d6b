package jobs

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/heraldbot/herald/tg"
)

// Job is a job being worked: River's job (its row and decoded Args) and
// the bot's client.
type Job[T river.JobArgs] struct {
	*river.Job[T]
	// Bot is the bot's client given to Start (rate-limited, with safe
	// retries): a job may send to its chat. Nil when Start was given nil.
	Bot *tg.Client
}

// WorkFunc works one job. A nil error completes it; an error has it
// retried with back-off (Config.Retry) until its attempts run out, and
// river.JobCancel(err) gives up at once, river.JobSnooze(d) runs it
// again after d. A job may run more than once (a crash between its work
// and its completion runs it again): make its effects idempotent.
type WorkFunc[T river.JobArgs] func(ctx context.Context, job *Job[T]) error

// Handle registers work as the worker of T's kind (T.Kind()). Call it
// before Start; a kind has one worker.
func Handle[T river.JobArgs](c *Client, work WorkFunc[T]) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started {
		return ErrStarted
	}
	return river.AddWorkerSafely(c.workers, &worker[T]{c: c, work: work})
}

// worker adapts a WorkFunc to River.
type worker[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	c    *Client
	work WorkFunc[T]
}

func (w *worker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	return w.work(ctx, &Job[T]{Job: job, Bot: w.c.bot})
}
