package sched

import (
	"context"
	"fmt"
	"log/slog"
)

// Defaults used for the zero fields of [Config].
const (
	// DefaultWorkers lets 256 keys run at once. Telegram handlers are
	// I/O bound (a Bot API call takes tens to hundreds of milliseconds),
	// so thousands of updates per second need hundreds of tasks in flight
	// even on 2 cores: 256 tasks of 100 ms each is 2,560 tasks/s.
	DefaultWorkers = 256

	// DefaultMaxQueued bounds the tasks accepted but not finished at
	// 10,000: a few seconds of traffic at thousands of updates per second,
	// and a small amount of memory (about 100 bytes per task plus what the
	// task itself holds, typically one decoded update).
	DefaultMaxQueued = 10_000
)

// Config configures a [Scheduler]. The zero value is ready to use: zero
// fields take the documented defaults. Negative numbers make [New] panic.
type Config[K comparable] struct {
	// Workers is the global concurrency cap: how many keys run a task at
	// the same time. Zero means DefaultWorkers.
	Workers int

	// MaxQueued bounds the tasks accepted but not yet finished (queued
	// plus running), across all keys. When it is reached, Submit waits
	// and TrySubmit returns ErrFull. Zero means DefaultMaxQueued.
	MaxQueued int

	// MaxPerKey, when positive, bounds the tasks of one key accepted but
	// not yet finished (queued plus running). When a key reaches it,
	// Submit and TrySubmit return ErrKeyFull without waiting.
	// Zero means no per-key bound (only MaxQueued applies).
	MaxPerKey int

	// BaseContext is the parent of the context passed to every task.
	// Cancelling it cancels the tasks' context but does not close the
	// scheduler. Nil means context.Background().
	BaseContext context.Context

	// OnPanic is called, on the worker goroutine, when a task panics,
	// with the task's key, the recovered value and the stack of the
	// panic. The key's next task runs afterwards as usual. Nil means the
	// panic is logged with log/slog's default logger at error level.
	// OnPanic must not panic.
	OnPanic func(key K, v any, stack []byte)

	// OnDrop, when set, is given each task that Close's hard stop
	// discards unstarted (counted in Stats.Dropped), with its key, on the
	// goroutine of Close and after the scheduler let go of it: an owner
	// whose tasks hold resources (a claim, a waiting request) can release
	// them, for instance by running the task with an ended context. Nil
	// means dropped tasks are forgotten.
	OnDrop func(key K, task Task)
}

func (c Config[K]) withDefaults() Config[K] {
	check := func(name string, v int) {
		if v < 0 {
			panic(fmt.Sprintf("sched: Config.%s is negative (%d)", name, v))
		}
	}
	check("Workers", c.Workers)
	check("MaxQueued", c.MaxQueued)
	check("MaxPerKey", c.MaxPerKey)
	if c.Workers == 0 {
		c.Workers = DefaultWorkers
	}
	if c.MaxQueued == 0 {
		c.MaxQueued = DefaultMaxQueued
	}
	if c.BaseContext == nil {
		c.BaseContext = context.Background()
	}
	if c.OnPanic == nil {
		c.OnPanic = logPanic[K]
	}
	return c
}

func logPanic[K comparable](key K, v any, stack []byte) {
	slog.Error("sched: task panicked", "key", key, "panic", v, "stack", string(stack))
}
