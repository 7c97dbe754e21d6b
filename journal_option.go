package herald

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/tg"
)

// Role is what a bot process does with its journal: receive updates, handle
// them, or both.
type Role string

// The roles of a bot process. Without a journal a bot always does both.
const (
	// RoleAll receives updates into the journal and handles them: one
	// process does everything (the default).
	RoleAll Role = "all"
	// RoleReceiver only receives (long polling or the webhook) and appends
	// to the journal; workers elsewhere handle the updates.
	RoleReceiver Role = "receiver"
	// RoleWorker only handles what the journal holds; it neither polls nor
	// serves a webhook.
	RoleWorker Role = "worker"
)

// EnvRole is read by ConfigFromEnv: all | receiver | worker.
const EnvRole = "HERALD_ROLE"

// JournalConfig tunes a bot's journal (WithJournal). The zero value uses
// the defaults given on each field.
type JournalConfig struct {
	// MaxLength bounds the entries not yet acknowledged (default 100,000);
	// beyond it polling waits and the webhook answers 503 with
	// Retry-After.
	MaxLength int64
	// Lease is how long a worker owns a partition without renewing it
	// (default 5 s): a dead worker's partitions move on about this long
	// later.
	Lease time.Duration
	// MaxDeliveries moves an update to the dead letters once it was
	// delivered this many times without being acknowledged (default 5).
	MaxDeliveries int
	// Owner names this process's worker in the journal (default random).
	Owner string
	// Inject adds to an entry's metadata what should travel from receiver
	// to worker with the update, such as a trace context. The receive
	// time is always recorded (journal.MetaReceived).
	Inject func(ctx context.Context, u *tg.Update, meta map[string]string)
	// Extract returns the context a worker handles the update in, from
	// the handling context and the entry's metadata (the other half of
	// Inject).
	Extract func(ctx context.Context, meta map[string]string) context.Context
}

// journalConfig is the bot's journal setting.
type journalConfig struct {
	j    backend.Journal
	set  bool // WithJournal was given (nil: no journal, even with WithBackend)
	cfg  JournalConfig
	role Role
}

// WithJournal puts every update through the durable journal j: the
// receiver (long polling or the webhook) appends each update and confirms
// it to Telegram at once (getUpdates fetches each update once; the
// webhook answers 200 in milliseconds), and workers handle the journal's
// entries in per-chat order, acknowledging each after its handler
// finished; a worker that dies leaves its entries to the next one. j
// comes from a backend package: sqlite's (one machine) or redis's (a
// fleet). WithBackend uses its engine's journal unless WithJournal is
// given; WithJournal(nil, …) turns the journal off.
//
// Without a journal the polling offset and the webhook's answer wait for
// the handler, as they must for nothing to be lost.
func WithJournal(j backend.Journal, cfg JournalConfig) Option {
	return func(b *Bot) error {
		if cfg.MaxLength < 0 || cfg.Lease < 0 || cfg.MaxDeliveries < 0 {
			return errors.New("herald: WithJournal: negative MaxLength, Lease or MaxDeliveries")
		}
		b.jrn.j, b.jrn.set, b.jrn.cfg = j, true, cfg
		return nil
	}
}

// WithRole sets what this process does with the journal (default
// RoleAll). RoleReceiver and RoleWorker need a journal shared by the
// processes (WithJournal or WithBackend on a shared engine).
func WithRole(r Role) Option {
	return func(b *Bot) error {
		if err := r.check(); err != nil {
			return err
		}
		b.jrn.role = r
		return nil
	}
}

func (r Role) check() error {
	switch r {
	case RoleAll, RoleReceiver, RoleWorker:
		return nil
	}
	return fmt.Errorf("herald: role %q: want %q, %q or %q", r, RoleAll, RoleReceiver, RoleWorker)
}

// Journal returns the bot's journal, or nil when it has none.
func (b *Bot) Journal() backend.Journal { return b.jrn.j }

// applyJournal takes the engine's journal unless WithJournal was given,
// and checks the role.
func (b *Bot) applyJournal() error {
	if !b.jrn.set && b.backend != nil {
		b.jrn.j = b.backend.Journal()
	}
	if b.jrn.role == "" {
		b.jrn.role = RoleAll
	}
	b.coord.outage.journal = b.jrn.j != nil
	if b.jrn.role != RoleAll && b.jrn.j == nil {
		return fmt.Errorf("herald: role %q needs a journal shared by the bot's processes (WithJournal, or WithBackend on sqlite or redis)", b.jrn.role)
	}
	return nil
}
