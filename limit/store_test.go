package limit

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/tg"
)

// faultyStore fails Take or Pause on demand, else uses an in-process store.
type faultyStore struct {
	*memory.LimitStore
	takeErr, pauseErr atomic.Pointer[error]
}

func (s *faultyStore) Take(ctx context.Context, r *Request) (Verdict, error) {
	if p := s.takeErr.Swap(nil); p != nil {
		return Verdict{}, *p
	}
	return s.LimitStore.Take(ctx, r)
}

func (s *faultyStore) Pause(ctx context.Context, chat tg.ChatID, d time.Duration) error {
	if p := s.pauseErr.Load(); p != nil {
		return *p
	}
	return s.LimitStore.Pause(ctx, chat, d)
}

// A failing Store is reported, and does not leave the queue for the
// global budget blocked: the next caller goes through. A failing Pause
// after a 429 is reported with the 429, and the call is not repeated.
func TestStoreErrors(t *testing.T) {
	store := &faultyStore{LimitStore: memory.NewLimitStore()} // no wait here: limits off
	var calls atomic.Int32
	var answer atomic.Pointer[error]
	u := newUnit(Config{Store: store, Global: Unlimited, Chat: Unlimited}, func(string) error {
		calls.Add(1)
		if p := answer.Load(); p != nil {
			return *p
		}
		return nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	down := errors.New("store down")
	store.takeErr.Store(&down)
	err := u.call.Call(ctx, "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(1)}, nil)
	if !errors.Is(err, down) || !strings.Contains(err.Error(), "sendMessage") {
		t.Fatalf("err = %v, want the store's error naming the method", err)
	}
	if calls.Load() != 0 {
		t.Fatal("a call went out without the limiter's consent")
	}
	if err := u.call.Call(ctx, "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(1)}, nil); err != nil {
		t.Fatalf("the call after a store error: %v (queue left blocked?)", err)
	}

	tooMany := error(&tg.Error{Code: http.StatusTooManyRequests, RetryAfter: time.Second})
	answer.Store(&tooMany)
	noPause := errors.New("pause refused")
	store.pauseErr.Store(&noPause)
	for _, method := range []string{"sendMessage", "getMe"} {
		calls.Store(0)
		err := u.call.Call(ctx, method, &tg.SendMessageParams{ChatID: tg.ID(1)}, nil)
		if _, is429 := tg.IsTooManyRequests(err); !is429 || !errors.Is(err, noPause) || !strings.Contains(err.Error(), "pausing senders") {
			t.Fatalf("%s: err = %v, want the 429 joined with the pause error", method, err)
		}
		if n := calls.Load(); n != 1 {
			t.Fatalf("%s: %d calls, want 1", method, n)
		}
	}
}
