package source

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/internal/backoff"
	"github.com/heraldbot/herald/internal/testkit"

	"github.com/heraldbot/herald/tg"
)

// quietPoller returns a Poller logging into a buffer.
func quietPoller(t *testing.T, c *tg.Client, cfg PollerConfig) (*Poller, *logBuffer) {
	t.Helper()
	log, buf := newTestLogger()
	cfg.Logger = log
	return NewPoller(c, cfg), buf
}

// TestPollerDeliversAllInOrder: 250 updates (three batches) from two
// users, acked in random order from other goroutines, are each submitted
// once in update_id order, and everything is confirmed at shutdown.
func TestPollerDeliversAllInOrder(t *testing.T) {
	api := newAPIServer(t)
	const n = 250
	for i := range n {
		u := ann
		if i%2 == 1 {
			u = bob
		}
		api.say(t, u, fmt.Sprintf("m%d", i))
	}
	p, _ := quietPoller(t, api.client(t), PollerConfig{})
	sink := newRecSink()
	var wg sync.WaitGroup
	sink.onSubmit = func(_ context.Context, _ *tg.Update, ack Ack) error {
		wg.Go(func() {
			time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
			ack(nil, nil)
		})
		return nil
	}
	stop := runPoller(t, p, sink)
	var last int64
	for i := range n {
		x := sink.next(t)
		if x.u.UpdateID != last+1 {
			t.Fatalf("submission %d: update %d after %d", i, x.u.UpdateID, last)
		}
		if want := fmt.Sprintf("m%d", i); x.u.Message == nil || x.u.Message.Text != want {
			t.Fatalf("update %d: message %+v, want text %q", x.u.UpdateID, x.u.Message, want)
		}
		last = x.u.UpdateID
	}
	wg.Wait()
	if err := stop(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	sink.none(t)
	if got := api.pending(t); got != 0 {
		t.Fatalf("%d updates still pending after shutdown, want 0", got)
	}
	if got := p.Offset(); got != n+1 {
		t.Fatalf("Offset = %d, want %d", got, n+1)
	}
}

// TestPollerLowWaterMark: the offset sent to Telegram never passes an
// un-acked update, updates fetched again are not submitted twice, and a
// poll that brings nothing new waits for an ack instead of looping.
func TestPollerLowWaterMark(t *testing.T) {
	api := newAPIServer(t)
	for i := range 5 {
		api.say(t, ann, fmt.Sprint(i))
	}
	p, _ := quietPoller(t, api.client(t), PollerConfig{RecheckInterval: time.Hour})
	sink := newRecSink()
	runPoller(t, p, sink)

	if c := api.nextCall(t, "getUpdates"); c.int("offset") != 0 || c.int("limit") != 100 || c.int("timeout") != 30 {
		t.Fatalf("first getUpdates %v, want offset 0, limit 100, timeout 30", c.params)
	}
	if _, ok := api.nextCall(t, "getUpdates").params["allowed_updates"]; ok {
		t.Fatal("allowed_updates sent though not configured")
	}
	acks := map[int64]Ack{}
	for range 5 {
		x := sink.next(t)
		acks[x.u.UpdateID] = x.ack
	}
	// The second poll (offset 1) returned the five in-flight updates:
	// nothing is submitted again and no third poll happens before an ack
	// moves the offset.
	sink.none(t)
	api.noCall(t, "getUpdates")

	for _, id := range []int64{2, 3, 5} {
		acks[id](nil, nil)
	}
	api.noCall(t, "getUpdates") // 1 is still in flight: the offset cannot move
	acks[1](nil, nil)
	if c := api.nextCall(t, "getUpdates"); c.int("offset") != 4 {
		t.Fatalf("after acking 1,2,3,5: offset %d, want 4", c.int("offset"))
	}
	api.noCall(t, "getUpdates")
	acks[4](nil, nil)
	acks[4](nil, nil) // a second ack is ignored
	if c := api.nextCall(t, "getUpdates"); c.int("offset") != 6 {
		t.Fatalf("after acking all: offset %d, want 6", c.int("offset"))
	}
	sink.none(t)
}

// TestPollerCrashRedelivers: a poller stopped with updates in flight
// (never acked) confirms only what was acked; a new poller receives the
// rest again and nothing is lost.
func TestPollerCrashRedelivers(t *testing.T) {
	api := newAPIServer(t)
	for i := range 10 {
		api.say(t, ann, fmt.Sprint(i))
	}
	c := api.client(t)
	unfinished := map[int64]bool{4: true, 7: true}
	done := map[int64]bool{}
	p1, _ := quietPoller(t, c, PollerConfig{})
	sink1 := newRecSink()
	stop1 := runPoller(t, p1, sink1)
	for range 10 {
		x := sink1.next(t)
		if !unfinished[x.u.UpdateID] {
			done[x.u.UpdateID] = true
			x.ack(nil, nil)
		}
	}
	if err := stop1(); err != nil { // the "crash": 4 and 7 never finish
		t.Fatalf("Run = %v", err)
	}
	if got := p1.Offset(); got != 4 {
		t.Fatalf("offset after crash = %d, want 4", got)
	}
	if got := api.pending(t); got != 7 {
		t.Fatalf("pending after crash = %d, want 7 (updates 4..10)", got)
	}

	p2, _ := quietPoller(t, c, PollerConfig{})
	sink2 := newRecSink()
	stop2 := runPoller(t, p2, sink2)
	for want := int64(4); want <= 10; want++ {
		x := sink2.next(t)
		if x.u.UpdateID != want {
			t.Fatalf("second poller got %d, want %d", x.u.UpdateID, want)
		}
		done[x.u.UpdateID] = true
		x.ack(nil, nil)
	}
	if err := stop2(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	for id := int64(1); id <= 10; id++ {
		if !done[id] {
			t.Errorf("update %d lost", id)
		}
	}
	if got := api.pending(t); got != 0 {
		t.Fatalf("pending at the end = %d, want 0", got)
	}
}

// TestPollerBackpressure: while the sink blocks, no further getUpdates
// is made; when it unblocks, polling resumes.
func TestPollerBackpressure(t *testing.T) {
	api := newAPIServer(t)
	api.say(t, ann, "a")
	api.say(t, ann, "b")
	gate := make(chan struct{})
	entered := make(chan struct{}, 1)
	sink := newRecSink()
	sink.onSubmit = func(ctx context.Context, u *tg.Update, ack Ack) error {
		if u.UpdateID == 1 {
			entered <- struct{}{}
			select {
			case <-gate:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		ack(nil, nil)
		return nil
	}
	p, _ := quietPoller(t, api.client(t), PollerConfig{})
	runPoller(t, p, sink)
	api.nextCall(t, "getUpdates")
	<-entered
	api.say(t, ann, "c")
	api.noCall(t, "getUpdates")
	close(gate)
	for want := int64(1); want <= 3; want++ {
		if x := sink.next(t); x.u.UpdateID != want {
			t.Fatalf("got update %d, want %d", x.u.UpdateID, want)
		}
	}
}

// TestPollerCancelWhileSinkFull: cancelling while Submit blocks leaves
// the update unacked and not confirmed.
func TestPollerCancelWhileSinkFull(t *testing.T) {
	api := newAPIServer(t)
	api.say(t, ann, "a")
	api.say(t, ann, "b")
	entered := make(chan struct{}, 1)
	sink := newRecSink()
	sink.onSubmit = func(ctx context.Context, u *tg.Update, ack Ack) error {
		if u.UpdateID == 2 {
			entered <- struct{}{}
			<-ctx.Done()
			return ctx.Err()
		}
		ack(nil, nil)
		return nil
	}
	p, _ := quietPoller(t, api.client(t), PollerConfig{})
	stop := runPoller(t, p, sink)
	<-entered
	if err := stop(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if got := p.Offset(); got != 2 {
		t.Fatalf("Offset = %d, want 2 (update 2 was never accepted)", got)
	}
	if got := api.pending(t); got != 1 {
		t.Fatalf("pending = %d, want 1", got)
	}
}

// patient makes s wait bubblePatience for a submission, for a test in a
// synctest bubble.
func patient(s *recSink) *recSink {
	s.patience = bubblePatience
	return s
}

// checkBackoff fails the test unless got has as many waits as want, each
// drawn from the upper half of the delay in want (the back-off's jitter).
func checkBackoff(t *testing.T, got, want []time.Duration) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = got[i] >= want[i]/2 && got[i] <= want[i]
	}
	if !ok {
		t.Fatalf("waits = %v, want each in the upper half of %v", got, want)
	}
}

// TestPollerErrorsBackoffConflictFlood: server errors back off 1 s, 2 s,
// 4 s…; both kinds of 409 are explained in the log and retried; a 429
// waits its retry_after; a success resets the back-off. In a synctest
// bubble the waits between the calls are exact.
func TestPollerErrorsBackoffConflictFlood(t *testing.T) {
	synctest.Test(t, testPollerErrorsBackoffConflictFlood)
}

func testPollerErrorsBackoffConflictFlood(t *testing.T) {
	api := newBubbleAPI(t)
	api.say(t, ann, "first")
	api.setInject(func(method string, n int, _ apiCall) *fault {
		if method != "getUpdates" {
			return nil
		}
		switch {
		case n < 3:
			return &fault{500, `<html>bad gateway</html>`}
		case n == 3:
			return &fault{409, `{"ok":false,"error_code":409,"description":"Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}`}
		case n == 4:
			return &fault{409, `{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}`}
		case n == 5:
			return &fault{429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`}
		case n == 7: // after one success
			return &fault{502, `{"ok":false,"error_code":502,"description":"Bad Gateway"}`}
		}
		return nil
	})
	p, logs := quietPoller(t, api.client(t), PollerConfig{})
	sink := patient(newAckSink()) // the waits before "first" add up to 38 s or less
	runPollerIn(t, t.Context(), p, sink)
	if x := sink.next(t); x.u.Message.Text != "first" {
		t.Fatalf("got %q", x.u.Message.Text)
	}
	api.say(t, ann, "second")
	if x := sink.next(t); x.u.Message.Text != "second" {
		t.Fatalf("got %q", x.u.Message.Text)
	}
	s := time.Second
	got := api.retryWaits("getUpdates")
	checkBackoff(t, got, []time.Duration{1 * s, 2 * s, 4 * s, 8 * s, 16 * s, 7 * s, 1 * s})
	if got[5] != 7*s {
		t.Fatalf("the 429 waited %v, want its retry_after 7s", got[5])
	}
	out := logs.String()
	for _, s := range []string{
		"a webhook is set for this bot",
		"another process is polling with this bot token",
		"flood control (429)",
		"retry_in=7s",
		"getUpdates failed; retrying",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("log lacks %q:\n%s", s, out)
		}
	}
	if strings.Contains(out, testToken) || strings.Contains(out, "TEST-source_token") {
		t.Fatal("the token appears in the log")
	}
}

// TestPollerMaxBackoff: the wait stops growing at MaxBackoff.
func TestPollerMaxBackoff(t *testing.T) {
	synctest.Test(t, testPollerMaxBackoff)
}

func testPollerMaxBackoff(t *testing.T) {
	api := newBubbleAPI(t)
	fails := 8
	api.setInject(func(method string, n int, _ apiCall) *fault {
		if method == "getUpdates" && n < fails {
			return &fault{500, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`}
		}
		return nil
	})
	api.say(t, ann, "x")
	p, _ := quietPoller(t, api.client(t), PollerConfig{MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second})
	sink := patient(newRecSink())
	runPollerIn(t, t.Context(), p, sink)
	sink.next(t)
	ms := time.Millisecond
	checkBackoff(t, api.retryWaits("getUpdates"), []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1000 * ms, 1000 * ms, 1000 * ms, 1000 * ms})
}

// TestPollerUnauthorizedIsFatal: a rejected token ends Run with an error
// that does not contain the token.
func TestPollerUnauthorizedIsFatal(t *testing.T) {
	api := newAPIServer(t)
	api.say(t, ann, "x") // creates the bot with testToken's secret
	other, err := tg.New("123456:ANOTHER-secret", tg.WithBaseURL(api.url))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := quietPoller(t, other, PollerConfig{})
	errc := make(chan error, 1)
	go func() { errc <- p.Run(testkit.Context(t), newRecSink()) }()
	select {
	case err = <-errc:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop on 401")
	}
	if !tg.IsUnauthorized(err) {
		t.Fatalf("Run = %v, want a 401 error", err)
	}
	if strings.Contains(err.Error(), "ANOTHER-secret") {
		t.Fatalf("error shows the token: %v", err)
	}
}

// TestPollerDeleteWebhookAtStart: DeleteWebhook lets polling start while
// a webhook is set, and DropPendingUpdates drops what was waiting.
func TestPollerDeleteWebhookAtStart(t *testing.T) {
	for _, drop := range []bool{false, true} {
		t.Run(fmt.Sprintf("drop=%v", drop), func(t *testing.T) {
			api := newAPIServer(t)
			c := api.client(t)
			ctx := testkit.Context(t)
			if !drop {
				// A webhook nobody answers: polling gets 409 until it is deleted.
				if err := SetWebhook(ctx, c, tg.SetWebhookParams{URL: "http://127.0.0.1:1/hook"}); err != nil {
					t.Fatal(err)
				}
			}
			api.say(t, ann, "old 1")
			api.say(t, ann, "old 2")
			p, _ := quietPoller(t, c, PollerConfig{DeleteWebhook: !drop, DropPendingUpdates: drop})
			sink := newRecSink()
			runPoller(t, p, sink)
			call := api.nextCall(t, "deleteWebhook")
			if got, _ := call.params["drop_pending_updates"].(bool); got != drop {
				t.Fatalf("deleteWebhook drop_pending_updates = %v, want %v", got, drop)
			}
			api.nextCall(t, "getUpdates")
			api.say(t, ann, "new")
			var texts []string
			for {
				x := sink.next(t)
				x.ack(nil, nil)
				texts = append(texts, x.u.Message.Text)
				if x.u.Message.Text == "new" {
					break
				}
			}
			want := "[old 1 old 2 new]"
			if drop {
				want = "[new]"
			}
			if fmt.Sprint(texts) != want {
				t.Fatalf("got %v, want %v", texts, want)
			}
		})
	}
}

// TestPollerWebhookConflictReal: without DeleteWebhook, the emulator's
// real 409 is explained and retried after a back-off, and polling works
// once the webhook is gone.
func TestPollerWebhookConflictReal(t *testing.T) {
	synctest.Test(t, testPollerWebhookConflictReal)
}

func testPollerWebhookConflictReal(t *testing.T) {
	api := newBubbleAPI(t)
	c := api.client(t)
	ctx := t.Context()
	// No update is pending while it is set, so nothing is delivered to it.
	if err := SetWebhook(ctx, c, tg.SetWebhookParams{URL: "http://127.0.0.1:1/hook"}); err != nil {
		t.Fatal(err)
	}
	p, logs := quietPoller(t, c, PollerConfig{})
	sink := patient(newRecSink())
	runPollerIn(t, ctx, p, sink)
	api.nextCall(t, "getUpdates")
	synctest.Wait() // the 409 is answered and the poller waits to retry
	if !strings.Contains(logs.String(), "a webhook is set for this bot") {
		t.Fatalf("log does not explain the 409:\n%s", logs)
	}
	if err := DeleteWebhook(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	api.say(t, ann, "hello")
	if x := sink.next(t); x.u.Message.Text != "hello" {
		t.Fatalf("got %q", x.u.Message.Text)
	}
	checkBackoff(t, api.retryWaits("getUpdates"), []time.Duration{time.Second})
}

// TestPollerFinalCommit: at shutdown the acked updates are confirmed by
// one getUpdates with limit 1 and no timeout; Commit after Run confirms
// what was acked later.
func TestPollerFinalCommit(t *testing.T) {
	api := newAPIServer(t)
	for _, s := range []string{"a", "b", "c"} {
		api.say(t, ann, s)
	}
	entered := make(chan struct{})
	sink := newRecSink()
	sink.onSubmit = func(ctx context.Context, u *tg.Update, _ Ack) error {
		if u.UpdateID == 3 { // the sink is full: polling is held here
			close(entered)
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}
	p, _ := quietPoller(t, api.client(t), PollerConfig{AllowedUpdates: []string{"message"}})
	stop := runPoller(t, p, sink)
	if c := api.nextCall(t, "getUpdates"); fmt.Sprint(c.params["allowed_updates"]) != "[message]" {
		t.Fatalf("allowed_updates = %v", c.params["allowed_updates"])
	}
	a, b := sink.next(t), sink.next(t)
	<-entered
	a.ack(nil, nil) // finished, but no poll can carry the new offset yet
	if err := p.Commit(context.Background()); !errors.Is(err, errRunning) {
		t.Fatalf("Commit while running = %v, want errRunning", err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	c := api.nextCall(t, "getUpdates")
	if c.int("offset") != 2 || c.int("limit") != 1 || c.int("timeout") != 0 {
		t.Fatalf("final call %v, want offset 2, limit 1, timeout 0", c.params)
	}
	if got := api.pending(t); got != 2 {
		t.Fatalf("pending = %d, want 2", got)
	}
	b.ack(nil, nil) // finished while the bot drained its handlers
	if err := p.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c := api.nextCall(t, "getUpdates"); c.int("offset") != 3 {
		t.Fatalf("Commit sent offset %d, want 3", c.int("offset"))
	}
	if got := api.pending(t); got != 1 {
		t.Fatalf("pending after Commit = %d, want 1 (update 3 was never accepted)", got)
	}
	if err := p.Commit(context.Background()); err != nil { // nothing new: no call
		t.Fatal(err)
	}
	api.noCall(t, "getUpdates")
}

// TestPollerRunTwice: Run refuses to run concurrently and needs a sink.
func TestPollerRunTwice(t *testing.T) {
	api := newAPIServer(t)
	p, _ := quietPoller(t, api.client(t), PollerConfig{})
	if err := p.Run(context.Background(), nil); err == nil {
		t.Fatal("Run(nil sink) succeeded")
	}
	runPoller(t, p, newRecSink())
	api.nextCall(t, "getUpdates")
	if err := p.Run(context.Background(), newRecSink()); !errors.Is(err, errRunning) {
		t.Fatalf("second Run = %v, want errRunning", err)
	}
}

// TestPollerUpdateIDRestart: when Telegram's update_id sequence starts
// again below the offset (after a week without updates), the new updates
// are accepted rather than skipped.
func TestPollerUpdateIDRestart(t *testing.T) {
	api := newAPIServer(t)
	api.setInject(func(method string, n int, c apiCall) *fault {
		if method != "getUpdates" {
			return nil
		}
		switch c.int("offset") {
		case 0:
			return &fault{200, `{"ok":true,"result":[{"update_id":900}]}`}
		case 901:
			return &fault{200, `{"ok":true,"result":[{"update_id":5},{"update_id":6}]}`}
		}
		return nil // the emulator: nothing pending, a long poll
	})
	p, logs := quietPoller(t, api.client(t), PollerConfig{})
	sink := newAckSink()
	runPoller(t, p, sink)
	sink.wantIDs(t, 900, 5, 6)
	api.waitOffset(t, 7)
	if !strings.Contains(logs.String(), "update_id sequence restarted") {
		t.Fatal("restart not logged")
	}
}

// TestPollerReplyDropped: a Reply given to a polling Ack is logged once.
func TestPollerReplyDropped(t *testing.T) {
	api := newAPIServer(t)
	api.say(t, ann, "a")
	p, logs := quietPoller(t, api.client(t), PollerConfig{})
	sink := newRecSink()
	runPoller(t, p, sink)
	sink.next(t).ack(&Reply{Method: "sendMessage"}, nil)
	api.nextCall(t, "getUpdates")
	if !strings.Contains(logs.String(), "long polling cannot answer with a Reply") {
		t.Fatalf("log:\n%s", logs)
	}
}

// TestPollerSinkRefuses: an update the sink refuses (an error other than
// the context's) is not lost: polling backs off and submits it again.
func TestPollerSinkRefuses(t *testing.T) {
	synctest.Test(t, testPollerSinkRefuses)
}

func testPollerSinkRefuses(t *testing.T) {
	api := newBubbleAPI(t)
	api.say(t, ann, "a")
	var mu sync.Mutex
	var tries []time.Time // when Submit was called
	sink := patient(newRecSink())
	sink.onSubmit = func(context.Context, *tg.Update, Ack) error {
		mu.Lock()
		defer mu.Unlock()
		tries = append(tries, time.Now())
		if len(tries) <= 2 {
			return errors.New("scheduler closed")
		}
		return nil
	}
	p, logs := quietPoller(t, api.client(t), PollerConfig{})
	runPollerIn(t, t.Context(), p, sink)
	x := sink.next(t)
	if x.u.UpdateID != 1 {
		t.Fatalf("got %d", x.u.UpdateID)
	}
	mu.Lock()
	var waits []time.Duration
	for i := 1; i < len(tries); i++ {
		waits = append(waits, tries[i].Sub(tries[i-1]))
	}
	mu.Unlock()
	checkBackoff(t, waits, []time.Duration{time.Second, 2 * time.Second})
	if !strings.Contains(logs.String(), "sink refused an update") {
		t.Fatalf("log:\n%s", logs)
	}
}

// TestPollerManyChats: 200 chats × 50 messages with handlers taking
// 0–5 ms, acked concurrently: every update is submitted exactly once, in
// order, and everything is confirmed.
func TestPollerManyChats(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	api := newAPIServer(t)
	const chats, per = 200, 50
	for i := range per {
		for c := range chats {
			api.say(t, tg.User{ID: int64(5000 + c), FirstName: "U"}, fmt.Sprint(i))
		}
	}
	p, _ := quietPoller(t, api.client(t), PollerConfig{})
	sink := newRecSink()
	var wg sync.WaitGroup
	sink.onSubmit = func(_ context.Context, _ *tg.Update, ack Ack) error {
		wg.Go(func() {
			time.Sleep(time.Duration(rand.IntN(5000)) * time.Microsecond)
			ack(nil, nil)
		})
		return nil
	}
	start := time.Now()
	stop := runPoller(t, p, sink)
	next := map[int64]int{}
	for want := int64(1); want <= chats*per; want++ {
		x := sink.next(t)
		if x.u.UpdateID != want {
			t.Fatalf("got update %d, want %d", x.u.UpdateID, want)
		}
		chat := x.u.Message.Chat.ID
		if x.u.Message.Text != fmt.Sprint(next[chat]) {
			t.Fatalf("chat %d: got %q, want %d", chat, x.u.Message.Text, next[chat])
		}
		next[chat]++
	}
	wg.Wait()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d updates in %v", chats*per, time.Since(start))
	if got := api.pending(t); got != 0 {
		t.Fatalf("pending = %d, want 0", got)
	}
}

// TestPollerWindowHeldByUnfinished: an update that is never acked caps
// polling at Limit updates from it (the documented trade-off), and the
// Poller says so in the log; acking it releases the rest.
func TestPollerWindowHeldByUnfinished(t *testing.T) {
	api := newAPIServer(t)
	for i := range 4 {
		api.say(t, ann, fmt.Sprint(i))
	}
	p, logs := quietPoller(t, api.client(t), PollerConfig{Limit: 2, RecheckInterval: time.Hour})
	sink := newRecSink()
	runPoller(t, p, sink)
	first, second := sink.next(t), sink.next(t)
	second.ack(nil, nil)
	api.nextCall(t, "getUpdates") // offset 0
	api.nextCall(t, "getUpdates") // offset 1: [1 2], nothing new
	sink.none(t)
	if !strings.Contains(logs.String(), "an unfinished update holds the polling offset") {
		t.Fatalf("log:\n%s", logs)
	}
	first.ack(nil, nil)
	for want := int64(3); want <= 4; want++ {
		x := sink.next(t)
		if x.u.UpdateID != want {
			t.Fatalf("got %d, want %d", x.u.UpdateID, want)
		}
		x.ack(nil, nil)
	}
}

// TestPollerFloodWithoutRetryAfter: a 429 that does not say how long to
// wait falls back to the back-off schedule instead of retrying at once.
func TestPollerFloodWithoutRetryAfter(t *testing.T) {
	synctest.Test(t, testPollerFloodWithoutRetryAfter)
}

func testPollerFloodWithoutRetryAfter(t *testing.T) {
	api := newBubbleAPI(t)
	api.say(t, ann, "x")
	api.setInject(func(method string, n int, _ apiCall) *fault {
		if method == "getUpdates" && n < 2 {
			return &fault{429, `{"ok":false,"error_code":429,"description":"Too Many Requests"}`}
		}
		return nil
	})
	p, logs := quietPoller(t, api.client(t), PollerConfig{})
	sink := patient(newRecSink())
	runPollerIn(t, t.Context(), p, sink)
	sink.next(t)
	checkBackoff(t, api.retryWaits("getUpdates"), []time.Duration{time.Second, 2 * time.Second})
	if !strings.Contains(logs.String(), "flood control (429)") {
		t.Fatalf("log:\n%s", logs)
	}
}

// TestPollerDeleteWebhookRetries: a failing deleteWebhook at start is
// retried with back-off before polling begins; a rejected token there
// ends Run with an error; cancelling while it waits to retry ends the
// wait and Run at once, without polling.
func TestPollerDeleteWebhookRetries(t *testing.T) {
	t.Run("transient", func(t *testing.T) { synctest.Test(t, testDeleteWebhookTransient) })
	t.Run("unauthorized", func(t *testing.T) {
		api := newAPIServer(t)
		api.setInject(func(method string, _ int, _ apiCall) *fault {
			if method == "deleteWebhook" {
				return &fault{401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`}
			}
			return nil
		})
		p, _ := quietPoller(t, api.client(t), PollerConfig{DropPendingUpdates: true})
		err := p.Run(testkit.Context(t), newRecSink())
		if !tg.IsUnauthorized(err) || !strings.Contains(err.Error(), "deleteWebhook") {
			t.Fatalf("Run = %v, want a 401 from deleteWebhook", err)
		}
		api.noCall(t, "getUpdates")
	})
	t.Run("cancelled", func(t *testing.T) { synctest.Test(t, testDeleteWebhookCancelled) })
}

func testDeleteWebhookTransient(t *testing.T) {
	api := newBubbleAPI(t)
	api.say(t, ann, "x")
	api.setInject(func(method string, n int, _ apiCall) *fault {
		if method == "deleteWebhook" && n < 2 {
			return &fault{502, `{"ok":false,"error_code":502,"description":"Bad Gateway"}`}
		}
		if method == "getUpdates" && n == 0 {
			return &fault{500, `{"ok":false,"error_code":500,"description":"Internal"}`}
		}
		return nil
	})
	p, logs := quietPoller(t, api.client(t), PollerConfig{DeleteWebhook: true})
	sink := patient(newRecSink())
	runPollerIn(t, t.Context(), p, sink)
	sink.next(t)
	// Two deleteWebhook failures (1 s, 2 s), then a success resets the
	// back-off, so the first getUpdates failure waits 1 s again.
	checkBackoff(t, api.retryWaits("deleteWebhook"), []time.Duration{time.Second, 2 * time.Second})
	checkBackoff(t, api.retryWaits("getUpdates"), []time.Duration{time.Second})
	if !strings.Contains(logs.String(), "deleteWebhook failed; retrying") {
		t.Fatalf("log:\n%s", logs)
	}
}

func testDeleteWebhookCancelled(t *testing.T) {
	api := newBubbleAPI(t)
	api.setInject(func(method string, _ int, _ apiCall) *fault {
		if method == "deleteWebhook" {
			return &fault{500, `{"ok":false,"error_code":500,"description":"Internal"}`}
		}
		return nil
	})
	p, _ := quietPoller(t, api.client(t), PollerConfig{DeleteWebhook: true})
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- p.Run(ctx, newRecSink()) }()
	for range 3 {
		api.nextCall(t, "deleteWebhook")
	}
	synctest.Wait() // the third failure is answered: Run waits to retry
	cancelled := time.Now()
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("Run = %v, want nil after cancel", err)
	}
	if d := time.Since(cancelled); d != 0 {
		t.Fatalf("Run returned %v after the cancel, want at once: the cancel ends the wait", d)
	}
	checkBackoff(t, api.retryWaits("deleteWebhook"), []time.Duration{time.Second, 2 * time.Second})
	api.noCall(t, "deleteWebhook") // no fourth attempt
	api.noCall(t, "getUpdates")
}

// TestPollerSortsBatch: a batch Telegram returns out of order is
// submitted in update_id order, and the offset moves past all of it.
func TestPollerSortsBatch(t *testing.T) {
	api := newAPIServer(t)
	api.setInject(func(method string, _ int, c apiCall) *fault {
		if method == "getUpdates" && c.int("offset") == 0 {
			return &fault{200, `{"ok":true,"result":[{"update_id":12},{"update_id":10},{"update_id":11}]}`}
		}
		return nil
	})
	p, _ := quietPoller(t, api.client(t), PollerConfig{})
	sink := newAckSink()
	runPoller(t, p, sink)
	sink.wantIDs(t, 10, 11, 12)
	api.waitOffset(t, 13)
}

// TestPollerCommitFailure: when the final confirmation fails, Run still
// returns nil (and logs it), Commit reports the error, and a later
// Commit that succeeds confirms the offset.
func TestPollerCommitFailure(t *testing.T) {
	api := newAPIServer(t)
	api.say(t, ann, "a")
	api.say(t, ann, "b")
	var failCommits atomic.Bool
	failCommits.Store(true)
	api.setInject(func(method string, _ int, c apiCall) *fault {
		if method == "getUpdates" && c.int("limit") == 1 && failCommits.Load() {
			return &fault{502, `{"ok":false,"error_code":502,"description":"Bad Gateway"}`}
		}
		return nil
	})
	entered := make(chan struct{})
	sink := newRecSink()
	sink.onSubmit = func(ctx context.Context, u *tg.Update, _ Ack) error {
		if u.UpdateID == 2 { // full: polling is held, so only a commit can confirm 1
			close(entered)
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}
	p, logs := quietPoller(t, api.client(t), PollerConfig{})
	stop := runPoller(t, p, sink)
	sink.next(t).ack(nil, nil)
	<-entered
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil even though the confirmation failed", err)
	}
	if !strings.Contains(logs.String(), "could not confirm the offset") {
		t.Fatalf("failed confirmation not logged:\n%s", logs)
	}
	err := p.Commit(context.Background())
	if err == nil || !strings.Contains(err.Error(), "confirming offset 2") {
		t.Fatalf("Commit = %v, want an error confirming offset 2", err)
	}
	if got := api.pending(t); got != 2 {
		t.Fatalf("pending = %d, want 2 (nothing confirmed)", got)
	}
	failCommits.Store(false)
	if err := p.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := api.pending(t); got != 1 {
		t.Fatalf("pending after Commit = %d, want 1", got)
	}
}

// TestPollerConfigDefaults: out-of-range settings are brought into range,
// and a negative Timeout polls without waiting (timeout 0).
func TestPollerConfigDefaults(t *testing.T) {
	cfg := PollerConfig{Timeout: -time.Second, Limit: 1000, MinBackoff: 5 * time.Second, MaxBackoff: time.Second}
	cfg.setDefaults()
	if cfg.Timeout != 0 || cfg.Limit != 100 || cfg.MaxBackoff != 5*time.Second || cfg.RecheckInterval != 500*time.Millisecond || cfg.Logger == nil {
		t.Fatalf("defaults: %+v", cfg)
	}
	api := newAPIServer(t)
	api.say(t, ann, "x")
	p, _ := quietPoller(t, api.client(t), PollerConfig{Timeout: -1, Limit: 7})
	sink := newRecSink()
	stop := runPoller(t, p, sink)
	c := api.nextCall(t, "getUpdates")
	sink.next(t)
	_ = stop()
	if c.int("timeout") != 0 || c.int("limit") != 7 {
		t.Fatalf("getUpdates %v, want timeout 0, limit 7", c.params)
	}
}

func TestNewPollerNilClientPanics(t *testing.T) {
	wantPanic(t, "nil *tg.Client", func() { NewPoller(nil, PollerConfig{}) })
}

func TestSleepCtx(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	if err := backoff.Sleep(ctx, 0); err != nil {
		t.Fatalf("backoff.Sleep(0) = %v", err)
	}
	if err := backoff.Sleep(ctx, time.Nanosecond); err != nil {
		t.Fatalf("backoff.Sleep(1ns) = %v", err)
	}
	cancel()
	if err := backoff.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("sleepCtx on a cancelled context = %v", err)
	}
	if err := backoff.Sleep(ctx, -time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("backoff.Sleep(<0) on a cancelled context = %v", err)
	}
}

// Short polling (timeout 0) answers at once even with nothing to deliver,
// so after each empty answer the poller waits RecheckInterval instead of
// asking again at once.
func TestShortPollingPausesWhenIdle(t *testing.T) {
	synctest.Test(t, testShortPollingPausesWhenIdle)
}

func testShortPollingPausesWhenIdle(t *testing.T) {
	api := newBubbleAPI(t)
	p, _ := quietPoller(t, api.client(t), PollerConfig{Timeout: 500 * time.Millisecond, RecheckInterval: 250 * time.Millisecond})
	runPollerIn(t, t.Context(), p, newRecSink())
	var prev time.Time
	for i := range 3 {
		c := api.nextCall(t, "getUpdates")
		if c.int("timeout") != 0 {
			t.Fatalf("timeout %d, want 0 (short polling)", c.int("timeout"))
		}
		if d := c.at.Sub(prev); i > 0 && d != 250*time.Millisecond {
			t.Fatalf("empty answer %d: paused %v, want RecheckInterval (250ms)", i, d)
		}
		prev = c.at
	}
}
