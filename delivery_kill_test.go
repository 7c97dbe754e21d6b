package herald_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/internal/pgtest"
	"github.com/heraldbot/herald/txonce"
)

// envInt reads a positive integer setting of a test, or def.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, s)
	}
	return n
}

// TestKillNineUnderPolling: one bot process at a time long-polls the
// emulator with its update claims in Redis (WithDedup) and answers every
// message inside c.Once. While 10,000 messages arrive over 50 chats, the
// test SIGKILLs the process every 2 s and starts a new one; 1.2 s
// before each kill, a message that blocks the process arrives, so that
// the process dies holding the polling offset back and the updates it
// handled after that one come again to the next process. In the end
// every update was handled and confirmed, every message was answered
// (none lost), and the answers of each chat are in the order of its
// messages. A message is answered twice only in the window Once
// documents: its process was killed after the answer went out and before
// Once recorded it; then a later process answers it again right after
// the first answer, and a killed process leaves at most one such message
// per chat. Anything else (a repeat by the same process, a repeat out of
// place) fails. The figures are logged; see docs/SCALING.md.
//
// HERALD_KILL_MESSAGES (default 10,000) sets the number of messages,
// HERALD_KILL_EVERY_MS (default 2,000) the kill period and
// HERALD_KILL_TIMEOUT_S (default 300) the time bound.
func TestKillNineUnderPolling(t *testing.T) {
	if testing.Short() {
		t.Skip("kills bot processes for a while")
	}
	d := newDeliveryRun(t, "kill")
	total := envInt(t, "HERALD_KILL_MESSAGES", 10_000)
	killEvery := time.Duration(envInt(t, "HERALD_KILL_EVERY_MS", 2000)) * time.Millisecond
	timeout := time.Duration(envInt(t, "HERALD_KILL_TIMEOUT_S", 300)) * time.Second
	const chats, minKills = 50, 10
	perChat := (total + chats - 1) / chats
	total = perChat * chats
	sendFor := minKills * killEvery // the messages arrive while the kills happen
	deadline := time.Now().Add(timeout)
	ctx := context.Background()
	chatID := func(c int) int64 { return int64(5000 + c) }
	const holdChat, holdBefore = 4999, 1200 * time.Millisecond // more than the poller's 500 ms recheck

	// The users write, each chat's messages in order, chats interleaved,
	// spread over sendFor.
	var sent atomic.Int64
	sendErr := make(chan error, 1)
	go func() {
		defer close(sendErr)
		begin := time.Now()
		for i := range perChat {
			for c := range chats {
				text := fmt.Sprintf("c%02d-m%04d", c, i)
				if _, err := d.w.Emu.SendMessage(ctx, emulator.UserMessage{Token: d.token, From: user(chatID(c)), Text: text}); err != nil {
					sendErr <- err
					return
				}
				n := sent.Add(1)
				if due := begin.Add(time.Duration(n) * sendFor / time.Duration(total)); time.Until(due) > 0 {
					time.Sleep(time.Until(due))
				}
			}
		}
	}()

	stats := func() emulator.Stats {
		st, err := d.w.Emu.Stats(d.token)
		if err != nil {
			return emulator.Stats{}
		}
		return st
	}
	progress := func() string {
		st := stats()
		return fmt.Sprintf("%d/%d messages sent, %d answers sent, %d updates confirmed, %d pending",
			sent.Load(), total, st.Requests["sendMessage"], st.UpdatesConfirmed, st.UpdatesPending)
	}
	// The SQL effects, written once each with txonce by the bots, in a
	// PostgreSQL schema of this run.
	dsn := pgtest.Schema(t, "herald_delivery")
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := txonce.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, effectsSchema); err != nil {
		t.Fatal(err)
	}
	dbEnv := envChildDB + "=" + dsn

	begin := time.Now()
	gen := 0
	cur := d.start("polling-once", "g0", dbEnv)
	kills := 0
	var answeredAtKill []int64 // answers sent when each process was killed
	var holds []string
	for kills < minKills || sent.Load() < int64(total) {
		// Shortly before the kill, a message blocks the process (see
		// the polling-once scenario), holding the polling offset back:
		// the updates handled after it are not confirmed when the process
		// dies, so the next process gets them again and must skip them.
		time.Sleep(killEvery - holdBefore)
		hold := "hold g" + strconv.Itoa(gen)
		if _, err := d.w.Emu.SendMessage(ctx, emulator.UserMessage{Token: d.token, From: user(holdChat), Text: hold}); err != nil {
			t.Fatal(err)
		}
		holds = append(holds, hold)
		time.Sleep(holdBefore)
		if time.Now().After(deadline) {
			t.Fatalf("not done within %v (%d kills): %s", timeout, kills, progress())
		}
		before := stats()
		cur.kill()
		kills++
		answeredAtKill = append(answeredAtKill, before.Requests["sendMessage"])
		gen++
		cur = d.start("polling-once", "g"+strconv.Itoa(gen), dbEnv)
	}
	if err := <-sendErr; err != nil {
		t.Fatal(err)
	}
	killedAt := time.Now()
	// The last process finishes the work: every update confirmed.
	for {
		st := stats()
		if st.UpdatesConfirmed >= int64(total+len(holds)) && st.UpdatesPending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not every update was handled and confirmed within %v (%d kills): %s", timeout, kills, progress())
		}
		time.Sleep(100 * time.Millisecond)
	}
	tail := time.Since(killedAt)
	cur.stop(20 * time.Second)
	took := time.Since(begin)

	// Every message answered, in order. A message may be answered again
	// only right after its first answer, by a later process, and a killed
	// process leaves at most one such message per chat: the one it had
	// answered without recording it yet when it died.
	lost, dups := 0, 0
	dupsOf := map[int]int{} // killed process → its messages answered again
	check := func(chat int64, want []string) {
		texts := d.w.botTexts(t, d.token, chat)
		next := 0 // index of the next message expected
		lastGen := -1
		repeated := map[int]bool{} // processes with a repeat in this chat
		for _, text := range texts {
			msg, who, ok := strings.Cut(strings.TrimPrefix(text, "ack "), " #g")
			g, err := strconv.Atoi(who)
			if !ok || err != nil || !strings.HasPrefix(text, "ack ") {
				t.Fatalf("chat %d: unexpected bot message %q", chat, text)
			}
			switch {
			case next < len(want) && msg == want[next]:
				next++
			case next > 0 && msg == want[next-1] && g > lastGen && !repeated[lastGen]:
				// Answered again by a later process: the first one was
				// killed after sending and before Once recorded it.
				repeated[lastGen] = true
				dups++
				dupsOf[lastGen]++
			default:
				t.Fatalf("chat %d: answer %q after %d in-order answers (the last by g%d): order broken, or a repeat not explained by a kill; answers: %v",
					chat, text, next, lastGen, texts)
			}
			lastGen = g
		}
		if next != len(want) {
			lost += len(want) - next
			t.Errorf("chat %d: %d of %d messages answered", chat, next, len(want))
		}
	}
	for c := range chats {
		want := make([]string, perChat)
		for i := range want {
			want[i] = fmt.Sprintf("c%02d-m%04d", c, i)
		}
		check(chatID(c), want)
	}
	check(holdChat, holds)
	// The SQL effects: exactly one per message, in order per chat.
	effects := map[int64][]string{}
	rows, err := db.QueryContext(ctx, `SELECT chat, text FROM effects ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	nEffects := 0
	for rows.Next() {
		var chat int64
		var text string
		if err := rows.Scan(&chat, &text); err != nil {
			t.Fatal(err)
		}
		effects[chat] = append(effects[chat], text)
		nEffects++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	for c := range chats {
		want := make([]string, perChat)
		for i := range want {
			want[i] = fmt.Sprintf("c%02d-m%04d", c, i)
		}
		if got := effects[chatID(c)]; !slices.Equal(got, want) {
			t.Errorf("chat %d: SQL effects %d, want exactly one per message in order (%d): first difference at %d",
				chatID(c), len(got), len(want), firstDiff(got, want))
		}
	}
	st := stats()
	t.Logf("SQL effects (txonce): %d rows for %d messages", nEffects, total)
	t.Logf("%d messages over %d chats, %d SIGKILLs every %v: all handled and confirmed in %.1f s (%.0f messages/s), %.1f s after the last kill; lost %d, answered twice %d (by killed process: %v); answers sent at each kill %v; sendMessage calls %d, getUpdates calls %d, updates delivered %d (re-deliveries included)",
		total, chats, kills, killEvery, took.Seconds(), float64(total)/took.Seconds(), tail.Seconds(),
		lost, dups, dupsOf, answeredAtKill, st.Requests["sendMessage"], st.Requests["getUpdates"], st.UpdatesDelivered)
	if lost > 0 {
		t.Errorf("%d messages lost", lost)
	}
	if want := int64(total + len(holds) + dups); st.Requests["sendMessage"] != want {
		t.Errorf("%d sendMessage calls, want %d (one per answer seen)", st.Requests["sendMessage"], want)
	}
}

// firstDiff is the first index at which a and b differ.
func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
