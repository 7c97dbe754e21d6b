package herald_test

import (
	"context"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// RunWithSignals stops on SIGTERM like a cancelled Run: it stops taking
// updates, lets the handler in flight finish, and returns nil.
func TestRunWithSignalsStopsGracefully(t *testing.T) {
	w := newWorld(t)
	const token = "6161:signals"
	b := w.newBot(t, token, herald.WithShutdownTimeout(10*time.Second))
	started, finished := make(chan struct{}), atomic.Bool{}
	b.Router().Message(func(c *herald.Context) error {
		close(started)
		time.Sleep(300 * time.Millisecond) // still running when the signal comes
		finished.Store(true)
		_, err := c.Reply("done")
		return err
	})
	done := make(chan error, 1)
	go func() { done <- b.RunWithSignals(context.Background()) }()
	emutest.Until(t, 10*time.Second, "the bot to poll", func() bool {
		st, err := w.Emu.Stats(token)
		return err == nil && st.Requests["getUpdates"] > 0
	})
	if _, err := w.Emu.SendMessage(context.Background(), emulator.UserMessage{Token: token, From: tg.User{ID: 3, FirstName: "Sig"}, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler never started")
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("RunWithSignals: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("RunWithSignals did not return after SIGTERM")
	}
	if !finished.Load() {
		t.Fatal("RunWithSignals returned before the handler in flight finished")
	}
	if texts := w.botTexts(t, token, 3); len(texts) != 1 || texts[0] != "done" {
		t.Fatalf("bot said %q, want the in-flight handler's reply", texts)
	}
}
