package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
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
	t.Setenv("BOT_TOKEN", token)
	t.Setenv("HERALD_API_URL", srv.URL)
	t.Setenv("SHOP_DB", filepath.Join(t.TempDir(), "shop.db"))
	t.Setenv("SHOP_ADMINS", "9")
	t.Setenv("DATABASE_URL", "")

	stop := startRun(t)
	ch := srv.Chat(t, token, tg.User{ID: 9, FirstName: "Op"})
	ch.SendWait("/start", "Welcome")
	ch.SendWait("/stats", "Orders: 0")
	stop()
}

// startRun runs the command in the background; stop ends it and fails
// the test if it returned an error or did not return within 20 s.
func startRun(t *testing.T) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	return func() {
		t.Helper()
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
}

func TestRunWithoutToken(t *testing.T) {
	t.Setenv("BOT_TOKEN", "")
	t.Setenv("TELEGRAM_TOKEN", "")
	if err := run(context.Background()); err == nil || !strings.Contains(err.Error(), "BOT_TOKEN") {
		t.Fatalf("run without BOT_TOKEN: %v, want an error naming BOT_TOKEN", err)
	}
}

// TestRunDeprecatedTokenVariable: TELEGRAM_TOKEN, the shop's old name for
// the token, still runs the bot, with a warning that names the variable
// and not its value; BOT_TOKEN wins when both are set.
func TestRunDeprecatedTokenVariable(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	const token = "5153:shop-old-variable"
	t.Setenv("BOT_TOKEN", "")
	t.Setenv("TELEGRAM_TOKEN", token)
	t.Setenv("HERALD_API_URL", srv.URL)
	t.Setenv("SHOP_DB", filepath.Join(t.TempDir(), "shop.db"))
	t.Setenv("SHOP_ADMINS", "")
	t.Setenv("DATABASE_URL", "")
	var logs lockedBuffer // fleet_test.go
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })

	stop := startRun(t)
	srv.Chat(t, token, tg.User{ID: 10, FirstName: "Old"}).SendWait("/start", "Welcome")
	stop()
	out := logs.tail(1 << 20)
	if !strings.Contains(out, "TELEGRAM_TOKEN is deprecated") || !strings.Contains(out, "BOT_TOKEN") {
		t.Errorf("no deprecation warning in the log:\n%s", out)
	}
	if strings.Contains(out, token) || strings.Contains(out, "shop-old-variable") {
		t.Errorf("the log shows the token:\n%s", out)
	}

	t.Setenv("BOT_TOKEN", "5154:shop-new-variable")
	var quiet bytes.Buffer
	got, err := tokenFromEnv(slog.New(slog.NewTextHandler(&quiet, nil)))
	if err != nil || got != "5154:shop-new-variable" || quiet.Len() != 0 {
		t.Errorf("both set: token %q, err %v, log %q; want BOT_TOKEN's, no warning", got, err, quiet.String())
	}
}
