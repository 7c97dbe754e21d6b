package middleware

import (
	"runtime/debug"

	"github.com/heraldbot/herald"
)

// Recover turns a panic in the rest of the chain into a *herald.PanicError
// returned at this point, so that the router's error handler sees it as an
// ordinary error. Routers recover panics anyway; use Recover to catch them
// closer to the handler (as inner middleware).
func Recover() herald.Handler {
	return func(c *herald.Context) (err error) {
		defer func() {
			if v := recover(); v != nil {
				err = &herald.PanicError{Value: v, Stack: debug.Stack()}
			}
		}()
		return c.Next()
	}
}
