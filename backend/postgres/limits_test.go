package postgres

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/tg"
)

// twoStores opens two Stores, each with a pool of its own, on one fresh
// schema: two processes of one bot.
func twoStores(t *testing.T) (a, b *Store) {
	dsn, schema := testDSN(t)
	return openAt(t, dsn, schema, Options{}), openAt(t, dsn, schema, Options{})
}

func limitRows(t *testing.T, s *Store, bot int64) map[string]int64 {
	t.Helper()
	rows, err := s.pool.Query(t.Context(), "SELECT key, tat FROM "+s.schema+".limit_state WHERE bot = $1", bot)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var (
			k   string
			tat int64
		)
		if err := rows.Scan(&k, &tat); err != nil {
			t.Fatal(err)
		}
		m[k] = tat
	}
	return m
}

// TestLimitsTwoStoresOneBudget: 60 Takes at once, spread over two Stores
// (two pools) of one bot, against a global bucket with a burst of 5 and
// one message an hour: exactly 5 are taken, and the refused ones took
// nothing from their chats' buckets.
func TestLimitsTwoStoresOneBudget(t *testing.T) {
	t.Parallel()
	a, b := twoStores(t)
	bot := rand.Int64N(1<<40) + 1
	stores := [2]backend.LimitStore{a.Limits(bot), b.Limits(bot)}
	global := backend.LimitBucket{Scope: backend.ScopeGlobal, Rate: backend.Rate{Count: 1, Per: time.Hour, Burst: 5}}
	hourly := backend.Rate{Count: 1, Per: time.Hour}
	const n = 60
	var (
		wg    sync.WaitGroup
		taken atomic.Int32
		start = make(chan struct{})
	)
	for i := range n {
		wg.Go(func() {
			chat := tg.ID(int64(1000 + i))
			r := &backend.LimitRequest{N: 1, Chat: chat, Buckets: []backend.LimitBucket{
				global, {Scope: backend.ScopeChat, Chat: chat, Rate: hourly},
			}}
			<-start
			v, err := stores[i%2].Take(context.Background(), r)
			switch {
			case err != nil:
				t.Errorf("Take: %v", err)
			case v.Wait == 0:
				taken.Add(1)
			case v.Scope != backend.ScopeGlobal:
				t.Errorf("refused by %v, want the global bucket", v.Scope)
			}
		})
	}
	close(start)
	wg.Wait()
	if got := taken.Load(); got != 5 {
		t.Fatalf("%d of %d concurrent Takes from two Stores were taken; want the burst, 5", got, n)
	}
	// A refused chat's bucket is untouched: alone, it still fits.
	rows := limitRows(t, a, bot)
	idle := 0
	for i := range n {
		if rows["chat:"+tg.ID(int64(1000+i)).String()] <= 0 {
			idle++
		}
	}
	if idle != n-5 {
		t.Fatalf("%d chat buckets untouched, want %d", idle, n-5)
	}
}

// TestLimitsUsernameChats: buckets and pauses of chats named by username
// are keyed by the username, apart from numeric ids, and shared by both
// Stores.
func TestLimitsUsernameChats(t *testing.T) {
	t.Parallel()
	a, b := twoStores(t)
	bot := rand.Int64N(1<<40) + 1
	la, lb := a.Limits(bot), b.Limits(bot)
	hourly := backend.Rate{Count: 1, Per: time.Hour}
	req := func(chat tg.ChatID) *backend.LimitRequest {
		return &backend.LimitRequest{N: 1, Chat: chat, Buckets: []backend.LimitBucket{{Scope: backend.ScopeGroup, Chat: chat, Rate: hourly}}}
	}
	ctx := t.Context()
	if v, err := la.Take(ctx, req(tg.Username("@news"))); err != nil || v.Wait != 0 {
		t.Fatalf("first Take of @news: %+v, %v", v, err)
	}
	if v, err := lb.Take(ctx, req(tg.Username("@news"))); err != nil || v.Scope != backend.ScopeGroup {
		t.Fatalf("second Take of @news from the other Store: %+v, %v; want the group bucket", v, err)
	}
	if v, err := lb.Take(ctx, req(tg.ID(-100500))); err != nil || v.Wait != 0 {
		t.Fatalf("another chat: %+v, %v", v, err)
	}
	if err := lb.Pause(ctx, tg.Username("@other"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if v, err := la.Take(ctx, req(tg.Username("@other"))); err != nil || v.Scope != backend.ScopeChatPause {
		t.Fatalf("paused @other: %+v, %v", v, err)
	}
	rows := limitRows(t, a, bot)
	for _, k := range []string{"group:@news", "group:-100500", "pause:@other"} {
		if _, ok := rows[k]; !ok {
			t.Errorf("no row %q in %v", k, rows)
		}
	}
	// Another bot on the same schema has buckets of its own.
	if v, err := a.Limits(bot+1).Take(ctx, req(tg.Username("@news"))); err != nil || v.Wait != 0 {
		t.Fatalf("@news for another bot: %+v, %v", v, err)
	}
}
