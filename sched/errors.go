package sched

import "errors"

// Errors returned by [Scheduler.Submit] and [Scheduler.TrySubmit].
// Compare with errors.Is.
var (
	// ErrFull means MaxQueued tasks are accepted but not finished.
	// TrySubmit returns it at once; Submit waits instead.
	// A webhook answers 503 with Retry-After.
	ErrFull = errors.New("sched: queue full")

	// ErrKeyFull means the key already has MaxPerKey tasks accepted but
	// not finished. Both Submit and TrySubmit return it at once: waiting
	// for one flooding key would stall the submissions of every other key.
	// errors.Is(ErrKeyFull, ErrFull) is true, so code that only
	// handles ErrFull still sees "no room".
	ErrKeyFull error = keyFullError{}

	// ErrClosed means Close was called. Submit calls waiting for room
	// when Close is called return it too.
	ErrClosed = errors.New("sched: scheduler closed")
)

type keyFullError struct{}

func (keyFullError) Error() string        { return "sched: queue of key full" }
func (keyFullError) Is(target error) bool { return target == ErrFull }
