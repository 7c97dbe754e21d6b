// Package sched is a keyed scheduler: tasks of one key run one at a time
// in submission order, tasks of different keys run in parallel up to a
// global cap, and the number of unfinished tasks is bounded.
//
// Herald uses it with the chat id as the key, so that the updates of one
// chat are handled in order while chats are served in parallel, but the
// package knows nothing about Telegram: the key is any comparable type.
//
//	s := sched.New(sched.Config[int64]{Workers: 256, MaxQueued: 10_000})
//	err := s.Submit(ctx, chatID, func(ctx context.Context) { handle(ctx, update) })
//	...
//	err = s.Close(shutdownCtx)
//
// # Guarantees
//
//   - Per-key FIFO: the tasks of one key run one after another, never
//     two at once, in the order Submit/TrySubmit accepted them. (Calls
//     made concurrently from different goroutines have no order between
//     them; a caller that needs one submits from one goroutine.)
//   - Global cap: at most Config.Workers tasks run at once.
//   - No head-of-line blocking: a key waiting for its previous task
//     holds no worker slot, so a slow or stuck task delays only the later
//     tasks of its own key; other keys run whenever a slot is free.
//   - Fairness: keys waiting for a slot get one in order of arrival. A
//     worker that finishes a task of a key with more queued tasks puts
//     that key at the back of the line when other keys are waiting, so a
//     busy key cannot starve them. Submit calls waiting for room are
//     admitted in order of arrival too.
//   - Bounded memory: at most Config.MaxQueued tasks are accepted and
//     not finished (queued plus running). When the bound is reached,
//     Submit waits for room (backpressure: a long-polling loop simply
//     slows down) and TrySubmit returns ErrFull (a webhook answers 503
//     with Retry-After). An optional Config.MaxPerKey bounds one key and
//     fails fast with ErrKeyFull.
//   - Idle keys cost nothing: a key's state is deleted as soon as it has
//     no queued or running task, and no goroutine is left parked: a
//     worker goroutine exists only while a key runs a task. The key map
//     is rebuilt after a burst of distinct keys, since Go maps never
//     shrink on their own.
//   - Panics: a panicking task is recovered and reported to
//     Config.OnPanic (with the stack); the key's next task runs as usual.
//
// # Contexts and shutdown
//
// Every task receives one context, derived from Config.BaseContext. It is
// cancelled by the hard stop of Close, or when BaseContext is cancelled.
// The context passed to Submit only bounds the wait for room; it does
// not reach the task.
//
// [Scheduler.Close] stops accepting tasks, then waits until every
// accepted task has finished (graceful drain). If its context ends first
// it cancels the tasks' context, discards the tasks not yet started and
// returns ctx.Err() at once, without waiting for running tasks, which may
// ignore their context; [Scheduler.Done] is closed once no task runs any
// more. There is no separate Wait: Close(ctx) is the drain, and
// <-s.Done() waits after a hard stop.
//
// # Implementation
//
// One mutex guards a map of active keys, each holding a ring buffer of
// its queued tasks, a FIFO of keys waiting for a worker slot, and a FIFO
// of Submit calls waiting for room. A worker is a goroutine that exists
// while there is work: an idle key gets one at once when fewer than
// Workers run, and a worker that finishes a task moves on to the next
// ready key or exits. There is no goroutine per queued task and none per
// idle key; a pool of parked workers measured no faster and would keep
// goroutines alive while idle. The queues of keys that went idle are
// recycled through a sync.Pool, so keys that come and go do not
// allocate (0 allocs per task in the benchmarks). Stats are atomics,
// read without the lock. A task costs two short critical sections
// (Submit, and finish-and-pick-next); at Telegram rates (thousands of
// updates per second, handlers of milliseconds) the lock is idle almost
// all the time, so the map is not sharded: sharding would also split the
// global bound and the arrival order of keys waiting for a slot.
package sched
