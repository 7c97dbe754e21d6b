package herald_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/fsm"
)

// downStorage fails every call while down is set, like a store that
// cannot be reached.
type downStorage struct {
	backend.State
	down atomic.Bool
}

var errConnRefused = errors.New("dial tcp 127.0.0.1:1: connect: connection refused")

func (d *downStorage) Get(ctx context.Context, k fsm.Key) (fsm.Record, error) {
	if d.down.Load() {
		return fsm.Record{}, errConnRefused
	}
	return d.State.Get(ctx, k)
}

func (d *downStorage) CompareAndSet(ctx context.Context, k fsm.Key, v int64, r fsm.Record, ttl time.Duration) (int64, error) {
	if d.down.Load() {
		return 0, errConnRefused
	}
	return d.State.CompareAndSet(ctx, k, v, r, ttl)
}

// TestInfrastructureFailureIsNotConfirmed: HandleUpdate reports a store
// that cannot be reached as ErrUnavailable, without the error handler or
// the error reply, while a handler's own error still goes through the
// error path; a handler's herald.Unavailable counts as infrastructure too.
func TestInfrastructureFailureIsNotConfirmed(t *testing.T) {
	store := &downStorage{State: memoryStorage(t)}
	var handlerErrs atomic.Int64
	b, err := herald.New("1:x", herald.WithFSM(store, herald.FSMConfig{}), herald.WithErrorReply(""), herald.WithLogger(quiet()),
		herald.WithErrorHandler(func(*herald.Context, error) { handlerErrs.Add(1) }))
	if err != nil {
		t.Fatal(err)
	}
	b.Router().Command("pay", func(c *herald.Context) error {
		return herald.Unavailable(errors.New("payment service down"))
	})
	b.Router().Command("oops", func(c *herald.Context) error { return errors.New("bad input") })
	b.Router().Message(func(c *herald.Context) error { return c.FSM().SetState(c, "step") })
	ctx := context.Background()

	store.down.Store(true)
	if err := b.HandleUpdate(ctx, msgUpdate(1, 5, "hello")); !errors.Is(err, herald.ErrUnavailable) || !errors.Is(err, errConnRefused) {
		t.Fatalf("store down: %v, want ErrUnavailable wrapping the store's error", err)
	}
	if err := b.HandleUpdate(ctx, msgUpdate(2, 5, "/pay")); !errors.Is(err, herald.ErrUnavailable) {
		t.Fatalf("herald.Unavailable: %v", err)
	}
	if handlerErrs.Load() != 0 {
		t.Fatalf("the error handler saw %d infrastructure failures", handlerErrs.Load())
	}
	if err := b.HandleUpdate(ctx, msgUpdate(3, 5, "/oops")); err == nil || errors.Is(err, herald.ErrUnavailable) || handlerErrs.Load() != 1 {
		t.Fatalf("a handler's error: %v (error handler ran %d times)", err, handlerErrs.Load())
	}
	// Not confirmed means not remembered: the same update runs once the
	// store is back.
	store.down.Store(false)
	if err := b.HandleUpdate(ctx, msgUpdate(1, 5, "hello")); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
	// And then it is a duplicate.
	store.down.Store(true)
	if err := b.HandleUpdate(ctx, msgUpdate(1, 5, "hello")); err != nil {
		t.Fatalf("a handled update delivered again was not skipped: %v", err)
	}
}

// TestPollingRetriesThroughAnOutage: a bot in long-polling mode whose
// state store is down keeps the updates (no error reply, nothing lost),
// retries with back-off, logs the outage once and its end once, and
// answers every message, in order per chat, once the store is back.
func TestPollingRetriesThroughAnOutage(t *testing.T) {
	w := newWorld(t)
	const token = "7500:outage"
	store := &downStorage{State: memoryStorage(t)}
	logs := &logCounter{n: map[string]int{}}
	b := w.newBot(t, token, herald.WithFSM(store, herald.FSMConfig{}), herald.WithLogger(slog.New(logs)))
	b.Router().Message(func(c *herald.Context) error {
		n, err := fsm.GetData[int](c, c.FSM())
		if err != nil {
			return err
		}
		if err := fsm.SetData(c, c.FSM(), n+1); err != nil {
			return err
		}
		_, err = c.Reply(fmt.Sprintf("%d: %s", n+1, c.Text()))
		return err
	})
	store.down.Store(true)
	emutest.Run(t, b)
	for i := range 6 {
		if _, err := w.Emu.SendMessage(context.Background(), emulator.UserMessage{Token: token, From: user(int64(1 + i%2)), Text: fmt.Sprintf("m%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	emutest.Until(t, 10*time.Second, "the outage to be logged", func() bool { return logs.count("ERROR infrastructure failing") == 1 })
	time.Sleep(300 * time.Millisecond) // a few retries while down
	if got := w.botTexts(t, token, 1); len(got) != 0 {
		t.Fatalf("answered while the store was down: %q", got)
	}
	store.down.Store(false)
	want := map[int64][]string{1: {"1: m0", "2: m2", "3: m4"}, 2: {"1: m1", "2: m3", "3: m5"}}
	emutest.Until(t, 20*time.Second, "every message to be answered once the store is back", func() bool {
		return len(w.botTexts(t, token, 1)) >= 3 && len(w.botTexts(t, token, 2)) >= 3
	})
	for chat, texts := range want {
		if got := w.botTexts(t, token, chat); fmt.Sprint(got) != fmt.Sprint(texts) {
			t.Errorf("chat %d: %q, want %q", chat, got, texts)
		}
	}
	if n := logs.count("ERROR"); n != 1 {
		t.Errorf("%d error lines for one outage, want 1: %v", n, logs.n)
	}
	emutest.Until(t, 5*time.Second, "the recovery to be logged", func() bool { return logs.count("INFO infrastructure recovered") == 1 })
}

// memoryStorage is a fresh in-memory Storage closed with the test.
func memoryStorage(t *testing.T) backend.State {
	s := memory.New(memory.Options{})
	t.Cleanup(func() { s.Close() })
	return s
}
