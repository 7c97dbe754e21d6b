package tg

import "context"

// Caller performs one Bot API call: it sends params (a struct with json
// tags, or nil) to method and decodes the "result" field into result (a
// pointer, or nil to discard it). Every generated method goes through a
// Caller chain, so rate limiters, retries, metrics, logging and test
// doubles are all Callers wrapping the next one.
type Caller interface {
	Call(ctx context.Context, method string, params, result any) error
}

// CallerFunc adapts a function to the Caller interface.
type CallerFunc func(ctx context.Context, method string, params, result any) error

// Call calls f.
func (f CallerFunc) Call(ctx context.Context, method string, params, result any) error {
	return f(ctx, method, params, result)
}

// Middleware wraps a Caller with extra behaviour. A middleware may inspect
// or change the arguments, call next zero or more times, or answer by
// itself (filling result) without calling next.
type Middleware func(next Caller) Caller

// chain wraps inner with mws so that mws[0] is the outermost.
func chain(inner Caller, mws []Middleware) Caller {
	c := inner
	for i := len(mws) - 1; i >= 0; i-- {
		c = mws[i](c)
	}
	return c
}
