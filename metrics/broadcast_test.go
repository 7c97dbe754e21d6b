package metrics_test

import (
	"context"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/broadcast"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/metrics"
	"github.com/heraldbot/herald/tg"
)

// TestBroadcastCounts: a campaign to five chats over the emulator — three
// users, one who blocked the bot, one chat that does not exist — is
// counted by outcome, and the remaining gauge follows the progress down
// to zero.
func TestBroadcastCounts(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	const token = "7403:broadcast"
	for _, id := range []int64{1, 2, 3, 4} {
		if _, err := srv.Emu.SendMessage(t.Context(), emulator.UserMessage{Token: token, From: tg.User{ID: id, FirstName: "U"}, Text: "/start"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Emu.BlockBot(4, token); err != nil {
		t.Fatal(err)
	}
	client, err := tg.New(token, tg.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	store := memory.NewBroadcasts()
	c, err := store.Create(t.Context(), broadcast.Campaign{Name: "news", Message: broadcast.Message{Text: "News!"}}, []int64{1, 2, 3, 4, 999}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	h := metrics.Handler(reg)
	var progress, results int
	p, err := m.RunBroadcast(context.Background(), client, store, c.ID, broadcast.Options{
		Concurrency: 1, Logger: slog.New(slog.DiscardHandler),
		OnResult: func(broadcast.Recipient) { results++ }, // Concurrency 1: one at a time
		OnProgress: func(p broadcast.Progress) {
			progress++
			wantLines(t, scrape(t, h), "herald_broadcast_remaining "+itoa(p.Remaining()))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.Sent != 3 || p.Blocked != 1 || p.Failed != 1 {
		t.Fatalf("progress %+v", p)
	}
	if progress != 6 || results != 5 {
		t.Errorf("the options' own callbacks: %d progress, %d results; want 6, 5", progress, results)
	}
	wantLines(t, scrape(t, h),
		`herald_broadcast_sends_total{outcome="sent"} 3`,
		`herald_broadcast_sends_total{outcome="blocked"} 1`,
		`herald_broadcast_sends_total{outcome="failed"} 1`,
		`herald_broadcast_remaining 0`,
	)
}

func itoa(n int) string { return strconv.Itoa(n) }
