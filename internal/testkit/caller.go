package testkit

import (
	"context"
	"sync"
	"time"

	"github.com/heraldbot/herald/tg"
)

// Call is one call a Caller saw.
type Call struct {
	Ctx    context.Context
	Method string
	Params any
	At     time.Time // time.Now() when the call arrived: a synctest bubble's time inside one
}

// Caller is a tg.Caller fake that records every call. Used as the end of
// a chain it answers with Answer (nil answers every call with success and
// leaves the result alone); used as a tg.Middleware through Middleware it
// records each call and passes it on. The zero value is ready to use, and
// it is safe for concurrent use.
type Caller struct {
	// Answer, if set, answers the calls that reach the end of the chain.
	Answer func(ctx context.Context, method string, params, result any) error

	mu    sync.Mutex
	calls []Call
}

var _ tg.Caller = (*Caller)(nil)

// Fail returns a Caller answering every call with err.
func Fail(err error) *Caller {
	return &Caller{Answer: func(context.Context, string, any, any) error { return err }}
}

// Call records the call and answers it.
func (c *Caller) Call(ctx context.Context, method string, params, result any) error {
	c.record(ctx, method, params)
	if c.Answer == nil {
		return nil
	}
	return c.Answer(ctx, method, params, result)
}

// Middleware records each call and passes it to next (Answer is not
// used).
func (c *Caller) Middleware(next tg.Caller) tg.Caller {
	return tg.CallerFunc(func(ctx context.Context, method string, params, result any) error {
		c.record(ctx, method, params)
		return next.Call(ctx, method, params, result)
	})
}

func (c *Caller) record(ctx context.Context, method string, params any) {
	c.mu.Lock()
	c.calls = append(c.calls, Call{Ctx: ctx, Method: method, Params: params, At: time.Now()})
	c.mu.Unlock()
}

// Calls returns the calls so far, in the order they arrived.
func (c *Caller) Calls() []Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Call(nil), c.calls...)
}

// Count returns how many calls of method arrived; "" counts all.
func (c *Caller) Count(method string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, call := range c.calls {
		if method == "" || call.Method == method {
			n++
		}
	}
	return n
}

// Times returns the arrival times of the calls for which keep returns
// true (all calls when keep is nil), in order.
func (c *Caller) Times(keep func(Call) bool) []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ts []time.Time
	for _, call := range c.calls {
		if keep == nil || keep(call) {
			ts = append(ts, call.At)
		}
	}
	return ts
}

// Reset forgets the calls so far.
func (c *Caller) Reset() {
	c.mu.Lock()
	c.calls = nil
	c.mu.Unlock()
}
