package limit

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/tg"
)

// pauseBubble is a Limiter with the defaults on the wall clock of a
// synctest bubble, whose chain ends in a function that answers 429 to the
// calls refuse picks and records when the others went out.
type pauseBubble struct {
	start  time.Time
	call   tg.Caller
	mu     sync.Mutex
	sent   map[string][]time.Duration // by label
	refuse func(method string, label string) bool
}

func newPauseBubble(refuse func(method, label string) bool) *pauseBubble {
	b := &pauseBubble{start: time.Now(), sent: map[string][]time.Duration{}, refuse: refuse}
	end := tg.CallerFunc(func(ctx context.Context, method string, _, _ any) error {
		label, _ := ctx.Value(labelKey{}).(string)
		if b.refuse(method, label) {
			return &tg.Error{Method: method, Code: http.StatusTooManyRequests, RetryAfter: 30 * time.Second}
		}
		b.mu.Lock()
		b.sent[label] = append(b.sent[label], time.Since(b.start))
		b.mu.Unlock()
		return nil
	})
	b.call = New(Config{}).Middleware()(end) // Clock nil: the bubble's time
	return b
}

// send makes the calls one after the other in a goroutine.
func (b *pauseBubble) send(t *testing.T, wg *sync.WaitGroup, label, method string, params ...any) {
	ctx := withLabel(context.Background(), label)
	wg.Go(func() {
		for _, p := range params {
			if err := b.call.Call(ctx, method, p, nil); err != nil {
				t.Errorf("%s: %v", label, err)
			}
		}
	})
}

func (b *pauseBubble) check(t *testing.T, label string, want ...time.Duration) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	got := b.sent[label]
	if len(got) != len(want) {
		t.Fatalf("%s: sent at %v, want %v", label, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: sent at %v, want %v", label, got, want)
		}
	}
}

func msgs(chat int64, n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = &tg.SendMessageParams{ChatID: tg.ID(chat), Text: "x"}
	}
	return out
}

// A 429 (retry_after 30 s) to a message into chat A pauses chat A only:
// chat B's five messages go out exactly as if nothing had happened (the
// next global slot, the chat's burst of 2, then one every 1.1 s), while
// A's refused message and the one queued behind it wait the 30 s. Time is
// synctest's: exact, and no test time passes.
func TestTooManyRequestsForOneChatDelaysNoOther(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var once sync.Once
		b := newPauseBubble(func(_, label string) bool {
			refused := false
			if label == "A" {
				once.Do(func() { refused = true })
			}
			return refused
		})
		var wg sync.WaitGroup
		b.send(t, &wg, "A", "sendMessage", msgs(1, 2)...)
		synctest.Wait() // A's first message was refused; A is paused
		b.send(t, &wg, "B", "sendMessage", msgs(2, 5)...)
		wg.Wait()

		step, chat := ivl(DefaultGlobal), ivl(DefaultChat)
		// B: A's refused attempt took the global slot at 0.
		b.check(t, "B", step, 2*step, step+chat, step+2*chat, step+3*chat)
		// A: repeated when its pause ends, then its burst's second.
		b.check(t, "A", 30*time.Second, 30*time.Second+step)
	})
}

// A 429 to a call that names no chat (an inline edit) pauses the whole
// bot: a message into any chat waits for it.
func TestTooManyRequestsWithoutChatPausesTheBot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var once sync.Once
		b := newPauseBubble(func(method, _ string) bool {
			refused := false
			if method == "editMessageText" {
				once.Do(func() { refused = true })
			}
			return refused
		})
		var wg sync.WaitGroup
		b.send(t, &wg, "inline", "editMessageText", &tg.EditMessageTextParams{InlineMessageID: "abc", Text: "x"})
		synctest.Wait()
		b.send(t, &wg, "B", "sendMessage", msgs(2, 1)...)
		wg.Wait()
		b.check(t, "inline", 30*time.Second)
		b.check(t, "B", 30*time.Second+ivl(DefaultGlobal))
	})
}
