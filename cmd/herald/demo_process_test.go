package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
)

// TestDemoProcessRestart runs `herald demo` as a separate process twice on
// the same database, stopping the first with SIGINT as Ctrl-C would. The
// shop remembers the update ids it handled in that database; both runs
// must answer their first messages (the demo customer's /start, sent by
// the demo itself, and a newcomer's /catalog). When every run's update
// ids started at 1, the second run ignored them as re-deliveries.
func TestDemoProcessRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and runs it twice")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := buildHerald(t, ctx)
	db := filepath.Join(t.TempDir(), "shop.db")
	for run := 1; run <= 2; run++ {
		var out, errOut syncBuffer
		cmd := exec.CommandContext(ctx, bin, "demo", "--addr", "127.0.0.1:0", "--db", db, "--limits", "off")
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		base := waitAddress(t, &out, &errOut, exited)
		// The demo sends the customer's /start itself: the first update.
		waitBotSays(t, base, demoUser.ID, "Welcome to the Herald coffee shop, Ada!")
		body := fmt.Sprintf(`{"token":%q,"from":{"id":3003,"first_name":"Cy"},"text":"/catalog"}`, demoToken)
		resp, err := http.Post(base+"/control/messages", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("run %d: POST /control/messages: %s", run, resp.Status)
		}
		waitBotSays(t, base, 3003, "page 1 of 3")

		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		if err := <-exited; err != nil {
			t.Fatalf("run %d ended with %v\n%s", run, err, errOut.String())
		}
	}
}

// demoAddress finds the demo's base URL in its instructions.
var demoAddress = regexp.MustCompile(`Open (http://127\.0\.0\.1:\d+)/ in your browser`)

// waitAddress returns the base URL the demo prints, failing the test if
// the process ends or a minute passes first.
func waitAddress(t *testing.T, out, errOut *syncBuffer, exited <-chan error) string {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(time.Minute)
	for {
		if m := demoAddress.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-exited:
			t.Fatalf("the demo ended before printing its address: %v\n%s", err, errOut.String())
		case <-deadline:
			t.Fatalf("the demo printed no address within a minute:\n%s\n%s", out.String(), errOut.String())
		case <-tick.C:
		}
	}
}

// waitBotSays waits until the bot wrote a message holding want in the
// private chat of user id, read over the control API of the demo at base.
func waitBotSays(t *testing.T, base string, id int64, want string) {
	t.Helper()
	url := fmt.Sprintf("%s/control/chats/%d/messages?token=%s", base, id, demoToken)
	emutest.Until(t, 30*time.Second, fmt.Sprintf("the bot to say %q to %d", want, id), func() bool {
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		var msgs []emulator.Entry
		if resp.StatusCode != http.StatusOK || json.Unmarshal(data, &msgs) != nil {
			return false
		}
		for _, m := range msgs {
			if m.Sender == "bot" && strings.Contains(m.Text, want) {
				return true
			}
		}
		return false
	})
}
