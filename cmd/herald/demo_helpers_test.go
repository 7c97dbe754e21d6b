package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator"
)

// startDemo runs the demo on a fresh database and loopback port (limits
// off, output to out) until the test ends, and returns its base URL once
// it is ready.
func startDemo(t *testing.T, ctx context.Context, out io.Writer) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	ready := make(chan string, 1)
	done := make(chan error, 1)
	l := emulator.NoLimits()
	go func() {
		done <- runDemo(runCtx, demoConfig{
			Listener: ln, DBPath: filepath.Join(t.TempDir(), "demo.db"), Limits: &l,
			Out: out, Logger: slog.New(slog.DiscardHandler),
			Ready: func(_ *emulator.Emulator, base string) { ready <- base },
		})
	}()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("demo: %v", err)
		}
	})
	select {
	case base := <-ready:
		return base
	case err := <-done:
		done <- err // for the cleanup
		t.Fatalf("demo: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("demo not ready within 30 s")
	}
	return ""
}

// buildHerald builds the herald command into the test's temporary
// directory and returns the binary's path.
func buildHerald(t *testing.T, ctx context.Context) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "herald")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
