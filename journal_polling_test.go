package herald_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
)

// sqliteBot is a bot long-polling the emulator of w (1 s long polls) with
// WithBackend on a new SQLite file, so with the file's journal unless
// opts turn it off; it returns the bot and the store.
func (w *world) sqliteBot(t *testing.T, token string, opts ...herald.Option) (*herald.Bot, *sqlite.Store) {
	t.Helper()
	s, err := sqlite.Open(context.Background(), t.TempDir()+"/bot.db", sqlite.Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	b := w.newBot(t, token, append([]herald.Option{herald.WithBackend(s), herald.WithErrorReply("")}, opts...)...)
	return b, s
}

// queueMessages sends perChat messages "m<i>" to each of the chats
// first..first+chats-1 (chats interleaved) and returns the texts by chat.
func (w *world) queueMessages(t *testing.T, token string, first int64, chats, perChat int) map[int64][]string {
	t.Helper()
	out := make(map[int64][]string, chats)
	for i := range perChat {
		for c := range int64(chats) {
			text := "m" + strconv.Itoa(i)
			if _, err := w.Emu.SendMessage(context.Background(), emulator.UserMessage{Token: token, From: user(first + c), Text: text}); err != nil {
				t.Fatal(err)
			}
			out[first+c] = append(out[first+c], text)
		}
	}
	return out
}

// TestJournalFetchesOnce: with the SQLite journal, long polling fetches
// each update once. The messages wait at the emulator before the bot
// starts, so each getUpdates returns a full batch of 100 (the emulator
// returns what it has: a bot polling faster than messages arrive gets
// smaller batches, which says nothing about the journal). Each batch is
// appended to the journal in one call and confirmed by the next
// getUpdates, however long its handlers (2 ms each) take: when the
// emulator has confirmed every update, it delivered each exactly once
// (UpdatesDelivered == messages) and was asked ceil(messages/100)
// times for them plus once to confirm the last batch; the bound asserted
// allows one more call, the empty 1 s long poll that may start before
// the test reads the counters. The same bot without a journal
// (WithJournal(nil, …)) holds its offset at the oldest update not
// handled yet and fetches the updates after it again until then; its
// figures are logged for comparison. Both bots answer every message once,
// in order per chat.
//
// HERALD_JOURNAL_FETCH_MESSAGES sets the number of messages (default
// 5,000 over 10 chats; 1,250 under the race detector).
func TestJournalFetchesOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("handles thousands of updates")
	}
	const chats = 10
	perChat := (envInt(t, "HERALD_JOURNAL_FETCH_MESSAGES", 5000/journalScale) + chats - 1) / chats
	total := int64(chats * perChat)
	type result struct {
		st      emulator.Stats // when every update was confirmed and handled
		took    time.Duration
		confirm time.Duration // until every update was confirmed
	}
	run := func(t *testing.T, token string, opts ...herald.Option) result {
		w := newWorld(t)
		b, _ := w.sqliteBot(t, token, opts...)
		var mu sync.Mutex
		seen := map[int64][]string{}
		var handled atomic.Int64
		b.Router().Message(func(c *herald.Context) error {
			time.Sleep(2 * time.Millisecond)
			mu.Lock()
			seen[c.Chat().ID] = append(seen[c.Chat().ID], c.Text())
			mu.Unlock()
			handled.Add(1)
			return nil
		})
		want := w.queueMessages(t, token, 7000, chats, perChat)
		begin := time.Now()
		stop := emutest.Run(t, b)
		var res result
		emutest.Until(t, 120*time.Second, "every update to be confirmed", func() bool {
			st, _ := w.Emu.Stats(token)
			res.st = st
			return st.UpdatesConfirmed >= total
		})
		res.confirm = time.Since(begin)
		emutest.Until(t, 120*time.Second, "every update to be handled", func() bool { return handled.Load() >= total })
		res.took = time.Since(begin)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		for chat, texts := range want {
			if got := seen[chat]; fmt.Sprint(got) != fmt.Sprint(texts) {
				t.Errorf("chat %d: handled %d messages, want %d once each in order (first difference at %d)",
					chat, len(got), len(texts), firstDiff(got, texts))
			}
		}
		return res
	}
	var with, without result
	t.Run("journal", func(t *testing.T) {
		with = run(t, "7430:fetch-journal")
		batches := (total + 99) / 100
		if with.st.UpdatesDelivered != total {
			t.Errorf("getUpdates delivered %d updates for %d messages: want each exactly once", with.st.UpdatesDelivered, total)
		}
		if calls := with.st.Requests["getUpdates"]; calls > batches+2 {
			t.Errorf("%d getUpdates calls when the last of %d messages was confirmed, want at most %d: %d full batches, the call that confirms the last, one empty long poll",
				calls, total, batches+2, batches)
		}
	})
	t.Run("no-journal", func(t *testing.T) {
		without = run(t, "7431:fetch-plain", herald.WithJournal(nil, herald.JournalConfig{}))
	})
	for _, r := range []struct {
		name string
		res  result
	}{{"journal", with}, {"no journal", without}} {
		t.Logf("%s: %d messages over %d chats, handlers 2 ms: getUpdates calls %d, updates delivered %d (%.2f per update), all confirmed after %.2f s, all handled after %.2f s",
			r.name, total, chats, r.res.st.Requests["getUpdates"], r.res.st.UpdatesDelivered,
			float64(r.res.st.UpdatesDelivered)/float64(total), r.res.confirm.Seconds(), r.res.took.Seconds())
	}
}

// TestJournalSlowChatDelaysNoOther: with the SQLite journal under long
// polling, one chat's handler blocks (until the test releases it, at
// most 30 s); meanwhile every message of the other chats, 300 of them,
// far more than the 100 a getUpdates returns, is fetched, confirmed and
// answered, while the blocked chat's later messages wait their turn and
// are answered in order once it is released. The same bot without a
// journal (the control) cannot see past the first 100 updates: its
// offset stays at the blocked update, so it handles the 99 after it in
// the window and no more, however often it polls.
func TestJournalSlowChatDelaysNoOther(t *testing.T) {
	if testing.Short() {
		t.Skip("handles hundreds of updates")
	}
	const others, perOther = 10, 30 // 300 messages after the blocked one
	const after = 3                 // the blocked chat's messages after the blocking one
	const blockedChat = 7100
	setup := func(t *testing.T, token string, opts ...herald.Option) (w *world, answered *atomic.Int64, release func()) {
		w = newWorld(t)
		b, _ := w.sqliteBot(t, token, append([]herald.Option{herald.WithShutdownTimeout(time.Second)}, opts...)...)
		blocked, released := make(chan struct{}), make(chan struct{})
		answered = new(atomic.Int64)
		b.Router().Message(func(c *herald.Context) error {
			if c.Text() == "block" {
				close(blocked)
				select { // blocked until released, the bot stops, or 30 s passed
				case <-released:
				case <-c.Done():
					return c.Err()
				case <-time.After(30 * time.Second):
				}
			}
			_, err := c.Reply("echo " + c.Text())
			if err == nil && c.Chat().ID != blockedChat {
				answered.Add(1)
			}
			return err
		})
		emutest.Run(t, b)
		var once sync.Once
		release = func() { once.Do(func() { close(released) }) }
		t.Cleanup(release)
		chat := w.Chat(t, token, user(blockedChat))
		chat.Send("block")
		select {
		case <-blocked:
		case <-time.After(30 * time.Second):
			t.Fatal("the blocking message was not handled within 30 s")
		}
		for i := range after {
			chat.Send("after" + strconv.Itoa(i))
		}
		w.queueMessages(t, token, blockedChat+1, others, perOther)
		return w, answered, release
	}
	stats := func(w *world, token string) emulator.Stats {
		st, _ := w.Emu.Stats(token)
		return st
	}

	t.Run("journal", func(t *testing.T) {
		const token = "7440:slow-journal"
		w, answered, release := setup(t, token)
		emutest.Until(t, 60*time.Second, "every other chat's messages to be answered while one chat blocks", func() bool {
			return answered.Load() == others*perOther
		})
		emutest.Until(t, 10*time.Second, "every update to be confirmed while one chat blocks", func() bool {
			st := stats(w, token)
			return st.UpdatesConfirmed == 1+after+others*perOther && st.UpdatesPending == 0
		})
		if got := w.botTexts(t, token, blockedChat); len(got) != 0 {
			t.Fatalf("the blocked chat got answers while its first message was still being handled: %v", got)
		}
		st := stats(w, token)
		release()
		want := []string{"echo block"}
		for i := range after {
			want = append(want, "echo after"+strconv.Itoa(i))
		}
		emutest.Until(t, 30*time.Second, "the blocked chat's messages to be answered once released", func() bool {
			return len(w.botTexts(t, token, blockedChat)) >= len(want)
		})
		if got := w.botTexts(t, token, blockedChat); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("the blocked chat's answers %q, want %q", got, want)
		}
		for c := range int64(others) {
			got := w.botTexts(t, token, blockedChat+1+c)
			for i, text := range got {
				if want := "echo m" + strconv.Itoa(i); text != want {
					t.Fatalf("chat %d: answer %d is %q, want %q", blockedChat+1+c, i, text, want)
				}
			}
			if len(got) != perOther {
				t.Errorf("chat %d: %d answers, want %d", blockedChat+1+c, len(got), perOther)
			}
		}
		t.Logf("journal: while one chat blocked, %d updates after it were fetched and confirmed and %d answered; getUpdates calls %d",
			st.UpdatesConfirmed-1, answered.Load(), st.Requests["getUpdates"])
	})

	t.Run("no-journal", func(t *testing.T) {
		const token = "7441:slow-plain"
		w, answered, _ := setup(t, token, herald.WithJournal(nil, herald.JournalConfig{}))
		window := int64(100 - 1 - after) // the other chats' messages in the first getUpdates window
		emutest.Until(t, 60*time.Second, "the other chats' messages in the window to be answered", func() bool {
			return answered.Load() >= window
		})
		// Each getUpdates from here on returns the same window: it
		// fetches nothing new, whatever the number of calls.
		polls := stats(w, token).Requests["getUpdates"]
		emutest.Until(t, 30*time.Second, "three more getUpdates calls", func() bool {
			return stats(w, token).Requests["getUpdates"] >= polls+3
		})
		st := stats(w, token)
		if answered.Load() != window || st.UpdatesConfirmed != 0 {
			t.Errorf("without a journal, while one chat blocked: %d answered and %d confirmed, want %d and 0 (the window of 100 behind the blocked update)",
				answered.Load(), st.UpdatesConfirmed, window)
		}
		t.Logf("no journal: while one chat blocked, %d of %d later updates answered, %d confirmed; getUpdates calls %d, updates delivered %d",
			answered.Load(), others*perOther+after, st.UpdatesConfirmed, st.Requests["getUpdates"], st.UpdatesDelivered)
	})
}
