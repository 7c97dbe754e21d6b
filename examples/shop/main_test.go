package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// TestRun runs the command as a user would, configured by the
// environment, against the emulator instead of Telegram.
func TestRun(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	const token = "5151:shop-main"
	t.Setenv("TELEGRAM_TOKEN", token)
	t.Setenv("HERALD_API_URL", srv.URL)
	t.Setenv("SHOP_DB", filepath.Join(t.TempDir(), "shop.db"))
	t.Setenv("SHOP_ADMINS", "9")
	t.Setenv("DATABASE_URL", "")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	ch := srv.Chat(t, token, tg.User{ID: 9, FirstName: "Op"})
	ch.SendWait("/start", "Welcome")
	ch.SendWait("/stats", "Orders: 0")
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not return within 20 s")
	}
}

func TestRunWithoutToken(t *testing.T) {
	t.Setenv("TELEGRAM_TOKEN", "")
	if err := run(context.Background()); err == nil {
		t.Fatal("run without TELEGRAM_TOKEN: no error")
	}
}
