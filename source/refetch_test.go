package source

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/tg"
)

func TestOffsetTrackerSubmitted(t *testing.T) {
	var tr offsetTracker
	for id := int64(10); id <= 14; id++ {
		tr.begin(id)
	}
	tr.ack(10)
	tr.ack(12)
	tr.fail(13)
	// The offset is 11: 11, 12 and 14 are held; 13 failed and is submitted
	// again; 10 is below the offset and 15 was never begun.
	for id, want := range map[int64]bool{9: false, 10: false, 11: true, 12: true, 13: false, 14: true, 15: false} {
		if got := tr.submitted(id); got != want {
			t.Errorf("submitted(%d) = %v, want %v", id, got, want)
		}
	}
	if got := tr.span(); got != 4 {
		t.Errorf("span = %d, want 4 (11 to 14)", got)
	}
}

// TestPollerRefetchesLittle: while many updates are in flight, polling
// does not fetch the same ones again and again. 3,000 updates from 30
// chats, each handled in about a millisecond by its own goroutine, are
// each submitted once and in order per chat, with fewer than 10
// deliveries per update counted by the emulator (the in-flight updates a
// getUpdates repeats: about 2 under -race, 3.1–3.6 without, where the
// handlers' millisecond is a larger share of the time, 5.3 with a second
// test run loading the machine), where asking again after every ack
// fetched each update 40 to 50 times.
func TestPollerRefetchesLittle(t *testing.T) {
	api := newAPIServer(t)
	const users, per = 30, 100
	load, err := api.emu.RunLoad(t.Context(), emulator.Load{Token: testToken, Users: users, MessagesPerUser: per,
		Text: func(u, i int) string { return fmt.Sprint(i) }})
	if err != nil || load.Failed > 0 {
		t.Fatalf("RunLoad: %+v, %v", load, err)
	}
	p, _ := quietPoller(t, api.client(t), PollerConfig{Timeout: time.Second})
	sink := newRecSink()
	var mu sync.Mutex
	chats := map[int64]chan func(){} // a worker per chat keeps its order
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sink.onSubmit = func(_ context.Context, u *tg.Update, ack Ack) error {
		mu.Lock()
		q := chats[u.Message.Chat.ID]
		if q == nil {
			q = make(chan func(), per)
			chats[u.Message.Chat.ID] = q
			wg.Go(func() {
				for {
					select {
					case f := <-q:
						f()
					case <-ctx.Done():
						return
					}
				}
			})
		}
		mu.Unlock()
		q <- func() { time.Sleep(time.Millisecond); ack(nil, nil) }
		return nil
	}
	stop := runPoller(t, p, sink)
	last := map[int64]string{}
	for range users * per {
		x := sink.next(t)
		chat, text := x.u.Message.Chat.ID, x.u.Message.Text
		if prev, ok := last[chat]; ok && fmt.Sprint(atoi(t, prev)+1) != text {
			t.Fatalf("chat %d: %q after %q", chat, text, prev)
		}
		last[chat] = text
	}
	sink.none(t)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	st, err := api.emu.Stats(testToken)
	if err != nil {
		t.Fatal(err)
	}
	perUpdate := float64(st.UpdatesDelivered) / (users * per)
	t.Logf("getUpdates calls: %d; deliveries per update: %.2f", st.Requests["getUpdates"], perUpdate)
	if perUpdate >= 10 {
		t.Errorf("%.2f deliveries per update (%d getUpdates calls): in-flight updates were fetched again too often",
			perUpdate, st.Requests["getUpdates"])
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}
