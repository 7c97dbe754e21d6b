package broadcast

import (
	"context"
	"time"
)

// Store keeps campaigns and the state of every recipient durably, so that
// a campaign survives the process and resumes where it stopped. The
// in-memory MemoryStore is for tests; backend/sqlite keeps them in the
// bot's SQLite file (sqlite.Store.Broadcasts).
//
// Times are passed in by the caller (Run uses its Options.Clock), so a
// Store needs no clock of its own. Implementations must be safe for
// concurrent use.
type Store interface {
	// Create stores c with recipients, all Pending, in the order given;
	// repeated chat ids are kept once. It returns c with ID, Created and
	// Total set.
	Create(ctx context.Context, c Campaign, recipients []int64, now time.Time) (Campaign, error)
	// Campaign returns the campaign id, or ErrNotFound.
	Campaign(ctx context.Context, id int64) (Campaign, error)
	// Campaigns returns every campaign, newest first.
	Campaigns(ctx context.Context) ([]Campaign, error)

	// Lease takes, renews or releases the campaign's runner lease, as a
	// compare-and-set: the lease becomes (owner, until) if its holder is
	// expect or it has expired at now; an owner "" releases it. It
	// returns the lease in force afterwards and whether it was set.
	Lease(ctx context.Context, id int64, expect, owner string, until, now time.Time) (Lease, bool, error)

	// Recipients returns up to n recipients of campaign id whose status
	// is s and whose Seq is above after, in Seq order.
	Recipients(ctx context.Context, id int64, s Status, after int64, n int) ([]Recipient, error)
	// Begin marks the recipient Sending at now (from Pending or
	// Sending); a recipient in a final state is left as it is.
	Begin(ctx context.Context, id, chat int64, now time.Time) error
	// Finish records an outcome for the recipient r.Chat: r.Status
	// (Pending to try again later, or a final state), r.MessageID,
	// r.Error and r.Attempts. A recipient already in a final state is left
	// as it is; a Status that is not one of the package's is an error.
	Finish(ctx context.Context, id int64, r Recipient, now time.Time) error
	// Progress counts the campaign's recipients by state (Rate, Elapsed
	// and ETA are zero).
	Progress(ctx context.Context, id int64) (Progress, error)
}

// Lease says which runner may send a campaign's messages, until when.
// The zero Lease is free.
type Lease struct {
	Owner string
	Until time.Time
}

// Free reports whether nobody holds l at now.
func (l Lease) Free(now time.Time) bool { return l.Owner == "" || !now.Before(l.Until) }
