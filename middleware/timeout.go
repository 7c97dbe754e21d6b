package middleware

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldbot/herald"
)

// Timeout gives the rest of the chain at most d: the Context is cancelled
// when d passes, so client calls and anything else that honours the context
// stop. If the chain returns after the deadline, Timeout returns an error
// wrapping context.DeadlineExceeded. Handlers that ignore their context
// cannot be stopped by any middleware.
func Timeout(d time.Duration) herald.Handler {
	return func(c *herald.Context) error {
		ctx, cancel := context.WithTimeout(c, d)
		defer cancel()
		err := c.WithContext(ctx).Next()
		if err == nil && ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("middleware: handler took longer than %v: %w", d, context.DeadlineExceeded)
		}
		return err
	}
}
