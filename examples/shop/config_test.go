package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunBadConfig: configuration mistakes are reported before anything
// runs, and say what is wrong.
func TestRunBadConfig(t *testing.T) {
	t.Setenv("BOT_TOKEN", "5152:shop-config")
	t.Setenv("HERALD_API_URL", "http://127.0.0.1:1") // never reached
	t.Setenv("SHOP_DB", filepath.Join(t.TempDir(), "shop.db"))

	t.Setenv("SHOP_ADMINS", "42,boss")
	t.Setenv("DATABASE_URL", "")
	if err := run(context.Background()); err == nil || !strings.Contains(err.Error(), `"boss"`) {
		t.Errorf("SHOP_ADMINS=42,boss: %v", err)
	}

	t.Setenv("SHOP_ADMINS", "42")
	t.Setenv("SHOP_RECEIPT_DELAY", "soon")
	if err := run(context.Background()); err == nil || !strings.Contains(err.Error(), "SHOP_RECEIPT_DELAY") {
		t.Errorf("SHOP_RECEIPT_DELAY=soon: %v", err)
	}
	t.Setenv("SHOP_RECEIPT_DELAY", "")
	t.Setenv("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if err := run(context.Background()); err == nil || !strings.Contains(err.Error(), "postgres") {
		t.Errorf("unreachable DATABASE_URL: %v", err)
	}

	t.Setenv("DATABASE_URL", "")
	t.Setenv("SHOP_BACKEND", "mysql://somewhere")
	if err := run(context.Background()); err == nil || !strings.Contains(err.Error(), "SHOP_BACKEND") {
		t.Errorf("SHOP_BACKEND=mysql://…: %v", err)
	}
	t.Setenv("SHOP_BACKEND", "redis://127.0.0.1:1/0?dial_timeout=1s")
	if err := run(context.Background()); err == nil || !strings.Contains(err.Error(), "engine") {
		t.Errorf("unreachable SHOP_BACKEND: %v", err)
	}
	t.Setenv("SHOP_BACKEND", "")

	t.Setenv("SHOP_DB", filepath.Join(t.TempDir(), "missing", "dir", "shop.db"))
	if err := run(context.Background()); err == nil || !strings.Contains(err.Error(), "shop.db") {
		t.Errorf("SHOP_DB in a missing directory: %v", err)
	}
}
