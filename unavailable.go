package herald

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"

	"github.com/heraldbot/herald/fsm"
)

// ErrUnavailable matches (errors.Is) every error that means the bot's own
// infrastructure failed while handling an update: a chat lock, the claim
// store or the conversation store unreachable, or the shutdown deadline
// passing before the handler finished. Such an update is not confirmed to
// Telegram: it is retried, and delivered again if the process stops.
var ErrUnavailable = errors.New("herald: infrastructure unavailable")

// Unavailable marks err as a failure of the bot's infrastructure rather
// than of the handler's own logic. A handler returns Unavailable(err) when
// a dependency it cannot do without (a database, another service) is down:
// the update is then retried instead of being answered with the error
// reply and confirmed. Unavailable(nil) is nil.
func Unavailable(err error) error {
	if err == nil {
		return nil
	}
	return &unavailableError{err}
}

type unavailableError struct{ err error }

func (e *unavailableError) Error() string        { return e.err.Error() }
func (e *unavailableError) Unwrap() error        { return e.err }
func (e *unavailableError) Is(target error) bool { return target == ErrUnavailable }

// infraFailure reports whether err, returned while handling an update in
// ctx, is a failure of the infrastructure (the update must not be
// confirmed) rather than of the handler: a context that ended (the
// handler did not finish), an error marked Unavailable, or a conversation
// store that could not be reached.
func infraFailure(ctx context.Context, err error) bool {
	if err == nil {
		return false
	}
	if ctx.Err() != nil || errors.Is(err, ErrUnavailable) {
		return true
	}
	if _, ok := errors.AsType[*fsm.StoreError](err); ok {
		// A missing store or key, or corrupt data, is a configuration or
		// data problem that retrying cannot fix.
		return !errors.Is(err, ErrNoFSM) && !errors.Is(err, fsm.ErrNoKey) && !errors.Is(err, fsm.ErrCorrupt)
	}
	return false
}

// asUnavailable wraps err so that it matches ErrUnavailable, unless it
// already does.
func asUnavailable(err error) error {
	if errors.Is(err, ErrUnavailable) {
		return err
	}
	return &unavailableError{err}
}

// outage logs infrastructure failures once per outage rather than once
// per update: the first failure at error level, the recovery at info
// level with the number of failed attempts in between.
type outage struct {
	failing  atomic.Bool
	failures atomic.Int64
	journal  bool // updates wait in a journal (they were confirmed already)
}

// fail records a failure; attrs say what failed (an update, a claim).
func (o *outage) fail(ctx context.Context, log *slog.Logger, err error, attrs ...any) {
	o.failures.Add(1)
	if o.failing.CompareAndSwap(false, true) {
		msg := "infrastructure failing: updates are not confirmed to Telegram and will be handled again (logged once per outage)"
		if o.journal {
			msg = "infrastructure failing: updates stay in the journal and will be handled again (logged once per outage)"
		}
		log.ErrorContext(ctx, msg, append(attrs, "err", err)...)
	}
}

func (o *outage) ok(ctx context.Context, log *slog.Logger) {
	if o.failing.Load() && o.failing.CompareAndSwap(true, false) {
		log.InfoContext(ctx, "infrastructure recovered", "failed_attempts", o.failures.Swap(0))
	}
}
