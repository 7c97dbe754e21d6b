package main

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/examples/shop/shopbot"
	"github.com/heraldbot/herald/tg"
)

// TestReceiptsSurviveKill: the shop (a separate OS process, webhook, on
// one SQLite file) takes orders from shoppers at once; each order's
// receipt is a River job that takes 2 s to print. The shop is killed with
// SIGKILL while the receipts print — once at a random moment of their
// first run, then at a random moment after a receipt's job runs again
// (rescued from the killed process) — and restarted on the same file
// each time. In the end every order must have exactly one receipt
// message in its chat, showing the rendered receipt (not the
// placeholder), its job completed, and nothing may follow.
func TestReceiptsSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts the shop; about a minute")
	}
	begin := time.Now()
	const shoppers = 5
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 14))
	t.Logf("seed %d", seed)

	botID := 7_000_000 + rng.Int64N(1_000_000)
	token := strconv.FormatInt(botID, 10) + ":shop-kill"
	srv := emutest.Start(t, emulator.Options{
		Logger: emutest.Quiet(), WebhookMaxBackoff: time.Second,
	})
	if _, err := srv.Emu.AddBot(token); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "shop.db")
	in := newInstance(t, 0, srv.URL, []string{
		envFleetChild + "=1",
		"BOT_TOKEN=" + token,
		"SHOP_DB=" + path,
		"HERALD_MODE=webhook",
		"HERALD_WEBHOOK_SECRET=kill-secret",
		"SHOP_RECEIPT_DELAY=2s",
		"SHOP_JOB_TIMEOUT=5s",
		"SHOP_JOB_RESCUE_AFTER=6s",
		"SHOP_CART_REMINDER=off",
	})
	in.env = append(in.env, "HERALD_WEBHOOK_URL=http://"+in.addr+"/")
	in.start(t)
	in.waitListening(t)

	// The shoppers order at once; each waits for its order's placeholder.
	var wg sync.WaitGroup
	orders := make([]string, shoppers)
	chats := make([]*emutest.Chat, shoppers)
	for i := range shoppers {
		chats[i] = srv.Chat(t, token, tg.User{ID: int64(400_001 + i), FirstName: "Buyer" + strconv.Itoa(i)})
		wg.Go(func() { orders[i] = shop(t, chats[i]) })
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	db := openReadOnly(t, path)
	mustWait(t, 10*time.Second, "every receipt queued", func() bool {
		return count(t, db, "SELECT count(*) FROM shop_receipts") == shoppers
	})
	t.Logf("%d orders placed, receipts printing: %v", shoppers, time.Since(begin).Round(time.Millisecond))

	// Kill 1: while the receipts' first run prints (they take 2 s).
	d := time.Duration(200+rng.IntN(1500)) * time.Millisecond
	time.Sleep(d)
	in.kill()
	t.Logf("kill 1, %v into the printing; %d receipts delivered before it", d, delivered(t, db))
	in.start(t)
	in.waitListening(t)

	// Kill 2: once a receipt runs again (rescued from the dead process,
	// which takes River's leader hand-over, about 15 s, and its rescuer),
	// at a random moment of that run.
	mustWait(t, 90*time.Second, "a receipt's job to run again", func() bool {
		return count(t, db, "SELECT count(*) FROM river_job WHERE kind = 'shop_receipt' AND attempt >= 2 AND state = 'running'") > 0
	})
	d = time.Duration(rng.IntN(1800)) * time.Millisecond
	time.Sleep(d)
	in.kill()
	t.Logf("kill 2, %v into a rerun; %d receipts delivered before it", d, delivered(t, db))
	in.start(t)
	in.waitListening(t)

	mustWait(t, 120*time.Second, "every receipt delivered", func() bool { return delivered(t, db) == shoppers })
	mustWait(t, 30*time.Second, "every receipt's job completed", func() bool {
		return count(t, db, "SELECT count(*) FROM river_job WHERE kind = 'shop_receipt' AND state = 'completed'") == shoppers
	})
	time.Sleep(2 * time.Second) // room for a wrong second message or edit
	reruns := count(t, db, "SELECT count(*) FROM river_job WHERE kind = 'shop_receipt' AND attempt >= 2")
	if reruns == 0 {
		t.Error("no receipt's job ran twice: the kills interrupted nothing")
	}
	for i, ch := range chats {
		num := strings.TrimPrefix(orders[i], "#")
		id, _ := strconv.ParseInt(num, 10, 64)
		var receipts []emulator.Entry
		for _, e := range ch.BotMessages() {
			if strings.HasPrefix(e.Caption, shopbot.ReceiptCaption(id)) {
				receipts = append(receipts, e)
			}
		}
		switch {
		case len(receipts) != 1:
			t.Errorf("order %s: %d receipt messages, want exactly 1:\n%s", orders[i], len(receipts), emutest.Dump(ch.BotMessages()))
		case receipts[0].Caption != shopbot.ReceiptCaption(id) || len(receipts[0].Photo) == 0 || receipts[0].Photo[0].Width < 300:
			t.Errorf("order %s: the receipt message is %+v, want the rendered receipt", orders[i], receipts[0])
		}
	}
	t.Logf("%d receipts delivered once each, %d jobs ran more than once; whole test %v", shoppers, reruns, time.Since(begin).Round(time.Millisecond))
	in.stop(t)
}

// openReadOnly opens the shop's SQLite file for the test's checks.
func openReadOnly(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// count runs a count query (-1 on error, logged).
func count(t *testing.T, db *sql.DB, query string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var n int
	if err := db.QueryRowContext(ctx, query).Scan(&n); err != nil {
		t.Logf("%s: %v", query, err)
		return -1
	}
	return n
}

// delivered counts the receipts put into their messages.
func delivered(t *testing.T, db *sql.DB) int {
	return count(t, db, "SELECT count(*) FROM shop_receipts WHERE delivered_at IS NOT NULL")
}

// mustWait waits for cond (polled every 20 ms) for at most d, or fails.
func mustWait(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	if !waitFor(d, cond) {
		t.Fatalf("timed out after %v waiting for %s", d, what)
	}
}
