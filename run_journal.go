package herald

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-json-experiment/json"
	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/journal"
	"github.com/heraldbot/herald/tg"
)

// newJournalReceiver returns the sink that appends received updates to j.
func (b *Bot) newJournalReceiver(j backend.Journal) *journal.Receiver {
	c := b.jrn.cfg
	inject := c.Inject
	if b.tracer != nil {
		inject = b.traceReceived(inject)
	}
	return journal.NewReceiver(j, journal.ReceiverConfig{
		Key: UpdateKey, MaxLength: c.MaxLength, Inject: inject, Logger: b.log,
	})
}

// newJournalWorker returns the worker that handles j's entries.
func (b *Bot) newJournalWorker(j backend.Journal) *journal.Worker {
	c := b.jrn.cfg
	return journal.NewWorker(j, journal.WorkerConfig{
		Owner: c.Owner, Lease: c.Lease, MaxDeliveries: c.MaxDeliveries, Logger: b.log,
		// The worker gives its partitions up once the handlers it started
		// finished or were cancelled at the shutdown deadline.
		DrainTimeout: b.run.shutdownTimeout + stopGrace,
	})
}

// journalHandler handles one journal entry as the scheduler's task: the
// update is claimed (a copy delivered again after a crash finds its claim
// done and is skipped), handled, and its reply sent. Failures of the
// infrastructure are retried until the shutdown; the entry is then left
// for the partition's next owner.
func (b *Bot) journalHandler() journal.Handler {
	extract := b.jrn.cfg.Extract
	if b.tracer != nil {
		extract = traceExtracted(extract)
	}
	return func(ctx context.Context, e *backend.JournalEntry) error {
		if ctx.Err() != nil {
			return asUnavailable(fmt.Errorf("herald: shut down before the update was handled: %w", context.Cause(ctx)))
		}
		u := new(tg.Update)
		if err := json.Unmarshal(e.Update, u); err != nil {
			return fmt.Errorf("%w: undecodable update JSON: %v", journal.ErrBury, err)
		}
		if extract != nil {
			ctx = extract(ctx, e.Meta)
		}
		reply, err := b.deliver(ctx, u, b.updateClaim(u), true)
		if errors.Is(err, ErrUnavailable) {
			return err
		}
		_ = b.sendReply(ctx, u, reply, err)
		return nil
	}
}
