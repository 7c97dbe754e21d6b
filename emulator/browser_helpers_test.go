package emulator_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldbot/herald/tg"
)

// pollUpdates runs a test bot on Herald's own client: it long-polls c
// and passes each update to handle until ctx ends, returning nil then,
// or the first error of getUpdates or handle.
func pollUpdates(ctx context.Context, c *tg.Client, handle func(tg.Update) error) error {
	var offset int64
	for ctx.Err() == nil {
		ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: offset, Timeout: 1})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		for _, u := range ups {
			offset = u.UpdateID + 1
			if err := handle(u); err != nil {
				return err
			}
		}
	}
	return nil
}

// pageDriver runs chromedp actions on a page for a test, failing it on
// the first error.
type pageDriver struct {
	t    *testing.T
	bctx context.Context
}

// step runs actions; what names them in a failure.
func (d pageDriver) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	d.t.Helper()
	if err := chromedp.Do(d.bctx, actions...); err != nil {
		d.t.Fatalf("%s: %v", what, err)
	}
}

// text returns the text of the first element sel matches.
func (d pageDriver) text(sel string) string {
	d.t.Helper()
	s, err := chromedp.Run(d.bctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		d.t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

// eval evaluates a JavaScript expression of integer value.
func (d pageDriver) eval(expr string) int {
	d.t.Helper()
	n, err := chromedp.Run(d.bctx, chromedp.Evaluate[int](expr))
	if err != nil {
		d.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return n
}
