package herald_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/tg"
)

// TestDeadLockHolder: process A holds a chat's lock (its handler blocks
// inside the chat) and is SIGKILLed; process B, sharing the Redis, has a
// message of that chat waiting for the lock. While A lives, B waits even
// past the lease (A renews it); once A is dead, B answers within the
// lease (herald.DefaultLockLease, 3 s) plus slack, and not before a
// third of it (the lease outlived A: by design two thirds of it or more).
func TestDeadLockHolder(t *testing.T) {
	d := newDeliveryRun(t, "deadlock")
	ctx := context.Background()
	bob := tg.User{ID: 4343, FirstName: "Bob"}
	if _, err := d.w.Emu.SendMessage(ctx, emulator.UserMessage{Token: d.token, From: bob, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	a := d.start("webhook-lock", "A")
	b := d.start("webhook-lock", "B")
	hc := &http.Client{Timeout: 60 * time.Second}
	defer hc.CloseIdleConnections()
	// Wait until B runs (a message of another chat gets 200).
	carl := tg.User{ID: 4344, FirstName: "Carl"}
	if _, err := d.w.Emu.SendMessage(ctx, emulator.UserMessage{Token: d.token, From: carl, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	until := func(what string, d time.Duration, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(d)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out after %v waiting for %s", d, what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	until("process B to run", 60*time.Second, func() bool {
		st, err := d.post(hc, b.addr, messageJSON(t, 1, carl, "warm-up"))
		return err == nil && st == http.StatusOK
	})

	// A takes Bob's chat and blocks in it.
	go func() { _, _ = d.post(hc, a.addr, messageJSON(t, 10, bob, "block")) }()
	until("process A to block in the chat", 60*time.Second, func() bool {
		return slices.Contains(d.w.botTexts(t, d.token, bob.ID), "blocking")
	})
	// B gets a message of the same chat: it waits for the lock.
	answered := make(chan int, 1)
	go func() {
		st, err := d.post(hc, b.addr, messageJSON(t, 11, bob, "hello"))
		if err != nil {
			st = -1
		}
		answered <- st
	}()
	hasHello := func() bool { return slices.Contains(d.w.botTexts(t, d.token, bob.ID), "ok hello") }
	held := herald.DefaultLockLease + time.Second // past the lease: only renewal keeps it
	time.Sleep(held)
	if hasHello() {
		t.Fatalf("B handled the chat while A held its lock (%v after)", held)
	}

	// A dies without unlocking.
	a.kill()
	killed := time.Now()
	until("B to answer once A's lease lapsed", 30*time.Second, hasHello)
	delay := time.Since(killed)
	if st := <-answered; st != http.StatusOK {
		t.Errorf("B's webhook answered %d, want 200", st)
	}
	t.Logf("lock lease %v (renewed every third): B answered %v after A was killed (B had waited %v while A lived)",
		herald.DefaultLockLease, delay.Round(time.Millisecond), held)
	// The lease lapses between two thirds of it and all of it after the
	// kill (the last renewal was at most a third ago); B retries the lock
	// at most every 64 ms and then sends one message.
	lo, hi := herald.DefaultLockLease/3, herald.DefaultLockLease+2*time.Second
	if delay < lo || delay > hi {
		t.Errorf("B answered %v after the kill, want between %v and %v", delay, lo, hi)
	}
	b.stop(20 * time.Second)
}
