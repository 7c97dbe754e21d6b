package middleware

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// A handler that ignores its context runs to its end, and Timeout then
// reports the overrun; a handler's own error is kept as it is.
func TestTimeoutHandlerIgnoresContext(t *testing.T) {
	b := newBot(t, &fakeAPI{})
	b.Router().UseInner(Timeout(time.Millisecond))
	finished := false
	var ownErr = errors.New("own")
	b.Router().Command("own", func(c *herald.Context) error {
		waitLonger(c)
		return ownErr
	})
	b.Router().Message(func(c *herald.Context) error {
		waitLonger(c)
		finished = true
		return nil
	})
	err := b.HandleUpdate(context.Background(), msg(1, 1, 1, "private"))
	if !finished || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "took longer than 1ms") {
		t.Errorf("finished %v, err %v", finished, err)
	}
	u := msg(2, 1, 1, "private")
	u.Message.Text = "/own"
	if err := b.HandleUpdate(context.Background(), u); !errors.Is(err, ownErr) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("own error after the deadline became %v", err)
	}
}

// waitLonger does not look at c's result but returns only after c's
// deadline passed (bounded by 10 s), like a handler stuck in a call that
// ignores its context.
func waitLonger(c context.Context) {
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
	}
}

// A cancelled update (shutdown) is not reported as a timeout.
func TestTimeoutParentCancelled(t *testing.T) {
	b := newBot(t, &fakeAPI{})
	b.Router().UseInner(Timeout(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	b.Router().Message(func(c *herald.Context) error { cancel(); <-c.Done(); return nil })
	if err := b.HandleUpdate(ctx, msg(1, 1, 1, "private")); err != nil {
		t.Errorf("chain returned %v after a cancellation, want the handler's nil", err)
	}
}
