package herald_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/tg"
)

// TestDuplicateDeliveryRunsOnce: three bot processes in inline webhook
// mode share one Redis (dedup claims, chat locks, Once). The same update
// is POSTed at the same instant to all three, 100 times with 100 update
// ids. Every POST is answered 200 or 503; re-POSTing the 503'd copies, as
// Telegram does, ends in 200 for all; and the handler ran exactly once
// per update id (counted in Redis and in the emulator's transcript).
func TestDuplicateDeliveryRunsOnce(t *testing.T) {
	d := newDeliveryRun(t, "dup")
	const repeats, processes = 100, 3
	ctx := context.Background()
	ann := tg.User{ID: 4242, FirstName: "Ann"}
	if _, err := d.w.Emu.SendMessage(ctx, emulator.UserMessage{Token: d.token, From: ann, Text: "hi"}); err != nil {
		t.Fatal(err) // makes the chat the bots answer in
	}
	var kids []*child
	for i := range processes {
		kids = append(kids, d.start("webhook-dup", fmt.Sprintf("p%d", i)))
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	defer hc.CloseIdleConnections()

	// Warm up: each process answers 200 once it runs (503 before).
	for i, k := range kids {
		body := messageJSON(t, int64(1+i), ann, "warm-up")
		deadline := time.Now().Add(60 * time.Second)
		for {
			st, err := d.post(hc, k.addr, body)
			if err == nil && st == http.StatusOK {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("process %s never answered 200 (last %d, %v)", k.name, st, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	const base = 1_000
	first := map[int]int{} // status → count, of the simultaneous first POSTs
	retried := 0
	for r := range repeats {
		id := int64(base + r)
		body := messageJSON(t, id, ann, fmt.Sprintf("dup %d", r))
		start := make(chan struct{})
		status := make([]int, processes)
		errs := make([]error, processes)
		var wg sync.WaitGroup
		for i, k := range kids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				status[i], errs[i] = d.post(hc, k.addr, body)
			}()
		}
		close(start) // released together
		wg.Wait()
		for i, st := range status {
			if errs[i] != nil {
				t.Fatalf("update %d to %s: %v", id, kids[i].name, errs[i])
			}
			first[st]++
			if st != http.StatusOK && st != http.StatusServiceUnavailable {
				t.Fatalf("update %d to %s: answered %d, want 200 or 503", id, kids[i].name, st)
			}
		}
		// Telegram retries a 503 until it gets 200.
		for i, st := range status {
			deadline := time.Now().Add(15 * time.Second)
			for st == http.StatusServiceUnavailable {
				if time.Now().After(deadline) {
					t.Fatalf("update %d to %s: still 503 after 15 s of retries", id, kids[i].name)
				}
				time.Sleep(25 * time.Millisecond)
				var err error
				if st, err = d.post(hc, kids[i].addr, body); err != nil {
					t.Fatal(err)
				}
				retried++
			}
			if st != http.StatusOK {
				t.Fatalf("update %d to %s: a retry answered %d, want 200", id, kids[i].name, st)
			}
		}
		if n, err := d.rc.Get(ctx, runsKey(d.prefix, id)).Int(); err != nil || n != 1 {
			t.Fatalf("update %d: the handler ran %d times (%v), want exactly 1", id, n, err)
		}
	}
	// Late copies of every update, long after: 200 at once, not run again.
	for r := range repeats {
		id := int64(base + r)
		if st, err := d.post(hc, kids[r%processes].addr, messageJSON(t, id, ann, fmt.Sprintf("dup %d", r))); err != nil || st != http.StatusOK {
			t.Fatalf("late copy of update %d: %d, %v; want 200", id, st, err)
		}
	}

	// The effects, as the emulator saw them: one reply per update.
	runs := map[int64]int{}
	by := map[string]int{}
	for _, text := range d.w.botTexts(t, d.token, ann.ID) {
		var id, n int64
		var name string
		if _, err := fmt.Sscanf(text, "ran %d by %s (run %d)", &id, &name, &n); err != nil {
			t.Fatalf("unexpected bot message %q", text)
		}
		runs[id]++
		by[strings.TrimSpace(name)]++
	}
	for r := range repeats {
		id := int64(base + r)
		if runs[id] != 1 {
			t.Errorf("update %d was answered %d times, want 1", id, runs[id])
		}
		if n, _ := d.rc.Get(ctx, runsKey(d.prefix, id)).Int(); n != 1 {
			t.Errorf("update %d: the handler ran %d times, want 1", id, n)
		}
	}
	t.Logf("%d updates × %d simultaneous copies: first answers %v, %d Telegram-style retries; runs by process (incl. 3 warm-ups): %v",
		repeats, processes, first, retried, by)
	if first[http.StatusOK] < repeats {
		t.Errorf("only %d first POSTs answered 200, want at least one per update", first[http.StatusOK])
	}
}
