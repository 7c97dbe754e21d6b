package limit

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/tg"
)

// A global budget with bursts never puts more than Count messages into
// any window of Per: 150 messages to 150 chats at once with Global 30/s
// and bursts of 1, 10 or 30 (and the groups' 20/min with bursts of 5).
// Time is synctest's: exact.
func TestBurstsKeepTheWindow(t *testing.T) {
	for _, tt := range []struct {
		global, group Rate
		chats         int64 // > 0 private chats, < 0 one group
		window        time.Duration
		most          int
	}{
		{Rate{Count: 30, Per: time.Second, Burst: 1}, Rate{}, 150, time.Second, 30},
		{Rate{Count: 30, Per: time.Second, Burst: 10}, Rate{}, 150, time.Second, 30},
		{Rate{Count: 30, Per: time.Second, Burst: 30}, Rate{}, 150, time.Second, 30},
		{DefaultGlobal, Rate{}, 150, time.Second, 25},
		{Unlimited, Rate{Count: 20, Per: time.Minute, Burst: 5}, -45, time.Minute, 20},
		{Unlimited, DefaultGroup, -45, time.Minute, 18},
	} {
		t.Run(tt.global.String()+","+tt.group.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var mu sync.Mutex
				var times []time.Time
				end := tg.CallerFunc(func(context.Context, string, any, any) error {
					mu.Lock()
					times = append(times, time.Now())
					mu.Unlock()
					return nil
				})
				call := New(Config{Global: tt.global, Group: tt.group, Chat: Unlimited}).Middleware()(end)
				var wg sync.WaitGroup
				n := max(tt.chats, -tt.chats)
				for i := range n {
					chat := i + 1
					if tt.chats < 0 {
						chat = -100
					}
					wg.Go(func() {
						if err := call.Call(context.Background(), "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(chat)}, nil); err != nil {
							t.Error(err)
						}
					})
				}
				wg.Wait()
				if got := testkit.MaxInWindow(times, tt.window); got > tt.most || len(times) != int(n) {
					t.Fatalf("%d messages, at most %d in a window of %v; want %d, ≤ %d", len(times), got, tt.window, n, tt.most)
				}
				t.Logf("%d messages in %v, at most %d in any %v", n, times[len(times)-1].Sub(times[0]), testkit.MaxInWindow(times, tt.window), tt.window)
			})
		})
	}
}
