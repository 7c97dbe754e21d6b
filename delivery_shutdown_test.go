package herald_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
)

// TestShutdownNeverConfirmsUnfinished: a bot whose handlers block until
// cancelled is stopped with a 2 s shutdown timeout, in polling and in
// webhook mode. Run returns about 2 s after the cancel (not before: the
// handlers do not finish; not much after: the webhook server shares the
// deadline). No update was confirmed to Telegram, and a second bot gets
// every one of them, each once, in order per chat.
func TestShutdownNeverConfirmsUnfinished(t *testing.T) {
	for _, mode := range []string{"polling", "webhook"} {
		t.Run(mode, func(t *testing.T) { shutdownTest(t, mode) })
	}
}

func shutdownTest(t *testing.T, mode string) {
	const shutdownTimeout = 2 * time.Second
	const chats, perChat = 10, 2 // the first of each chat runs, the second waits behind it
	opts := emutest.NoLimits()
	opts.WebhookMaxBackoff = time.Second // re-deliveries come soon after the second bot starts
	w := &world{emutest.Start(t, opts)}
	token := "76" + strconv.Itoa(len(mode)) + "0:shutdown"
	webhook := func() herald.Option {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		return herald.WithWebhook(herald.WebhookConfig{URL: "http://" + ln.Addr().String() + "/", Listener: ln})
	}
	var extra []herald.Option
	if mode == "webhook" {
		extra = append(extra, webhook())
	}
	first := w.newBot(t, token, append(extra, herald.WithShutdownTimeout(shutdownTimeout), herald.WithErrorReply(""))...)
	var started, cancelled atomic.Int64
	first.Router().Message(func(c *herald.Context) error {
		started.Add(1)
		<-c.Done() // never finishes by itself
		cancelled.Add(1)
		return c.Err()
	})
	stopFirst := emutest.Run(t, first)
	ctx := context.Background()
	var ids []int64
	for i := range perChat {
		for c := range chats {
			s, err := w.Emu.SendMessage(ctx, emulator.UserMessage{Token: token, From: user(int64(100 + c)), Text: fmt.Sprintf("m%d", i)})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, s.UpdateID)
		}
	}
	emutest.Until(t, 30*time.Second, "every chat's first handler to start", func() bool { return started.Load() == chats })

	begin := time.Now()
	if err := stopFirst(); err != nil {
		t.Fatal(err)
	}
	took := time.Since(begin)
	t.Logf("%s: Run returned %v after the cancel (shutdown timeout %v)", mode, took.Round(time.Millisecond), shutdownTimeout)
	if took < shutdownTimeout-50*time.Millisecond || took > shutdownTimeout+1500*time.Millisecond {
		t.Errorf("Run returned %v after the cancel, want about the shutdown timeout %v (at most %v)", took, shutdownTimeout, shutdownTimeout+1500*time.Millisecond)
	}
	// Run does not wait for the cancelled handlers to return.
	emutest.Until(t, 2*time.Second, "every handler to see its context cancelled", func() bool { return cancelled.Load() == chats })
	if n := started.Load(); n != chats {
		t.Errorf("%d handlers started, want %d (the second message of a chat waits for the first)", n, chats)
	}
	st, err := w.Emu.Stats(token)
	if err != nil {
		t.Fatal(err)
	}
	if st.UpdatesConfirmed != 0 || st.UpdatesPending != int64(len(ids)) {
		t.Fatalf("after the shutdown: %d updates confirmed, %d pending; want 0 and %d (nothing finished)", st.UpdatesConfirmed, st.UpdatesPending, len(ids))
	}

	// A second bot gets them all.
	extra = nil
	if mode == "webhook" {
		extra = append(extra, webhook())
	}
	second := w.newBot(t, token, extra...)
	var mu sync.Mutex
	got := map[int64]int{}
	order := map[int64][]string{}
	second.Router().Message(func(c *herald.Context) error {
		mu.Lock()
		got[c.Update.UpdateID]++
		order[c.Chat().ID] = append(order[c.Chat().ID], c.Text())
		mu.Unlock()
		return nil
	})
	stopSecond := emutest.Run(t, second)
	emutest.Until(t, 60*time.Second, "the second bot to get every update", func() bool {
		st, err := w.Emu.Stats(token)
		return err == nil && st.UpdatesConfirmed == int64(len(ids)) && st.UpdatesPending == 0
	})
	if err := stopSecond(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, id := range ids {
		if got[id] != 1 {
			t.Errorf("update %d was handled %d times by the second bot, want 1", id, got[id])
		}
	}
	for c := range chats {
		if o := order[int64(100+c)]; !slices.Equal(o, []string{"m0", "m1"}) {
			t.Errorf("chat %d: the second bot handled %v, want [m0 m1]", 100+c, o)
		}
	}
}
