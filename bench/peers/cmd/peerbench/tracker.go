package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// firstUser is the id of the first simulated user (and chat); the
	// warm-up message comes from the user just below it.
	firstUser = 1_000_000
	// warmUpText is the message that tells the bot is up.
	warmUpText = "warm-up"
	// loadPrefix starts the text of every message of the load.
	loadPrefix = "bench "
)

// tracker records when each message of the load was sent and when the
// bot's reply to it was sent to the emulator. Its methods are safe for
// concurrent use.
type tracker struct {
	users, messages int
	start           time.Time      // times below are ns since start
	sent            []atomic.Int64 // by user*messages+i; 0: not sent
	took            []atomic.Int64 // ns from send to reply; 0: no reply yet
	highest         []atomic.Int64 // by user: the highest message index replied to, plus one
	answered        atomic.Int64
	unordered       atomic.Int64 // replies that came after the reply to a later message of the chat
	duplicates      atomic.Int64 // replies beyond the first to a message
	stray           atomic.Int64 // bot messages that answer no message of the load
	loadStart       atomic.Int64
	last            atomic.Int64 // the latest first reply
	done, warm      chan struct{}
	doneOnce        sync.Once
	warmOnce        sync.Once
}

func newTracker(users, messages int) *tracker {
	n := users * messages
	return &tracker{users: users, messages: messages, start: time.Now(),
		sent: make([]atomic.Int64, n), took: make([]atomic.Int64, n), highest: make([]atomic.Int64, users),
		done: make(chan struct{}), warm: make(chan struct{})}
}

func (t *tracker) total() int { return t.users * t.messages }

func (t *tracker) now() int64 { return max(1, int64(time.Since(t.start))) }

// beginLoad marks the start of the traffic.
func (t *tracker) beginLoad() { t.loadStart.Store(t.now()) }

// text is the load's Text function: it stamps the send time of user u's
// message i.
func (t *tracker) text(u, i int) string {
	t.sent[u*t.messages+i].Store(t.now())
	return loadPrefix + strconv.Itoa(i)
}

// reply records a message the bot sent to chatID with text.
func (t *tracker) reply(chatID int64, text string) {
	if text == warmUpText {
		t.warmOnce.Do(func() { close(t.warm) })
		return
	}
	u := int(chatID - firstUser)
	i, err := strconv.Atoi(strings.TrimPrefix(text, loadPrefix))
	if u < 0 || u >= t.users || err != nil || i < 0 || i >= t.messages || !strings.HasPrefix(text, loadPrefix) {
		t.stray.Add(1)
		return
	}
	k := u*t.messages + i
	now := t.now()
	sent := t.sent[k].Load()
	if sent == 0 { // a reply before its message was stamped cannot happen: count it apart
		t.stray.Add(1)
		return
	}
	if !t.took[k].CompareAndSwap(0, max(1, now-sent)) {
		t.duplicates.Add(1)
		return
	}
	for {
		h := t.highest[u].Load()
		if h > int64(i) {
			t.unordered.Add(1)
			break
		}
		if t.highest[u].CompareAndSwap(h, int64(i+1)) {
			break
		}
	}
	for {
		l := t.last.Load()
		if now <= l || t.last.CompareAndSwap(l, now) {
			break
		}
	}
	if t.answered.Add(1) == int64(t.total()) {
		t.doneOnce.Do(func() { close(t.done) })
	}
}

// counts is what the tracker saw of the load.
type counts struct {
	Answered, Lost, Unordered, Duplicates, Stray int
	Elapsed                                      time.Duration // from the first message sent to the last first reply
	P50, P99                                     time.Duration // from a message to its reply
}

func (t *tracker) counts() counts {
	var took []time.Duration
	for i := range t.took {
		if d := t.took[i].Load(); d > 0 {
			took = append(took, time.Duration(d))
		}
	}
	slices.Sort(took)
	c := counts{Answered: int(t.answered.Load()), Unordered: int(t.unordered.Load()),
		Duplicates: int(t.duplicates.Load()), Stray: int(t.stray.Load())}
	c.Lost = t.total() - c.Answered
	if start := t.loadStart.Load(); start > 0 && t.last.Load() > start {
		c.Elapsed = time.Duration(t.last.Load() - start)
	}
	c.P50, c.P99 = percentile(took, 0.50), percentile(took, 0.99)
	return c
}

// percentile returns the p-quantile of sorted (nearest rank), 0 if empty.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(k, 0), len(sorted)-1)]
}

// report writes a line to w once a second until stopped: the replies so
// far, their rate and what extra says. stop may be called more than once.
func (t *tracker) report(w io.Writer, label string, extra func() string) (stop func()) {
	if w == nil {
		return func() {}
	}
	quit, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
				fmt.Fprintln(w, t.progressLine(label)+extra())
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(quit); <-exited }) }
}

// progressLine tells how far the load has come.
func (t *tracker) progressLine(label string) string {
	n := t.answered.Load()
	line := fmt.Sprintf("  %s: %d/%d answered (%.0f%%)", label, n, t.total(), 100*float64(n)/float64(t.total()))
	if start := t.loadStart.Load(); start > 0 {
		if s := time.Duration(t.now() - start).Seconds(); s > 0 {
			line += fmt.Sprintf(", %.0f/s", float64(n)/s)
		}
	}
	return line
}
