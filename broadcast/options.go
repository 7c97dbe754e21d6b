package broadcast

import (
	"log/slog"
	"time"
)

// Options tune Run. The zero value is ready to use.
type Options struct {
	// Concurrency is the number of sends in flight at once (default 8).
	// The limiter decides the rate; enough sends must wait in it to use
	// every slot it hands out (a few per round trip to Telegram).
	Concurrency int
	// MaxAttempts bounds the attempts per recipient on transient failures
	// (429 after the limiter's own retries, a request that could not
	// leave, and with ResendInDoubt the failures in doubt); then the
	// recipient is Failed (default 3).
	MaxAttempts int
	// ResendInDoubt sends again to recipients whose request left without a
	// definite answer (a crash, a reset connection, a timeout, a 5xx): at
	// least once instead of the default at most once.
	ResendInDoubt bool
	// OnProgress, if set, is called once when the run starts and after
	// every result, one call at a time. It must return quickly.
	OnProgress func(Progress)
	// OnResult, if set, is called with each attempt's result once the
	// Store has recorded it: the recipient in a final state (Sent,
	// Blocked, Failed, Skipped), or Pending when a transient failure will
	// be tried again in a later pass (a send stopped before it left, as
	// the run stops, is no attempt and not reported). It is called from the sending goroutines,
	// several at a time, and must return quickly (metrics.Broadcast uses
	// it to count sends by outcome).
	OnResult func(Recipient)
	// LeaseTTL is how long the campaign stays reserved for this runner
	// without a renewal (default 30 s; renewed every third of it). A
	// runner of a process that was killed on the same host is taken over
	// at once; others only when their lease expires.
	LeaseTTL time.Duration
	// StopGrace is how long requests already on their way may take to
	// answer after ctx ends, so that their result is recorded (default
	// 10 s). Sends still waiting for the limiter stop at once.
	StopGrace time.Duration
	// Logger receives lease takeovers and in-doubt recipients (default
	// slog.Default()).
	Logger *slog.Logger
	// PageSize is the number of pending recipients read at a time
	// (default 256).
	PageSize int
}

func (o *Options) setDefaults() {
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 3
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = 30 * time.Second
	}
	if o.StopGrace <= 0 {
		o.StopGrace = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.PageSize <= 0 {
		o.PageSize = 256
	}
}
