package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/tg"
)

const broadcastToken = "7070:broadcast-cmd-secret"

// broadcastWorld is the emulator (real clock, Telegram's limits) on
// 127.0.0.1 with users 1..n who wrote to the bot, and a file of their ids.
func broadcastWorld(t *testing.T, n int) (emu *emulator.Emulator, url, recipients string) {
	t.Helper()
	emu = emulator.New(emulator.Options{})
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(func() { emu.Close() })
	var ids strings.Builder
	ids.WriteString("# test users\n")
	for id := int64(1); id <= int64(n); id++ {
		if _, err := emu.SendMessage(context.Background(), emulator.UserMessage{Token: broadcastToken, From: tg.User{ID: id, FirstName: "U"}, Text: "/start"}); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&ids, "%d\n", id)
	}
	recipients = filepath.Join(t.TempDir(), "ids.txt")
	if err := os.WriteFile(recipients, []byte(ids.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return emu, srv.URL, recipients
}

// botMessages returns the bot's messages in each chat 1..n.
func botMessages(t *testing.T, emu *emulator.Emulator, n int) map[int64][]emulator.Entry {
	t.Helper()
	out := make(map[int64][]emulator.Entry)
	for id := int64(1); id <= int64(n); id++ {
		tr, err := emu.Transcript(broadcastToken, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range tr {
			if m.Sender == "bot" {
				out[id] = append(out[id], m)
			}
		}
	}
	return out
}

func TestBroadcastCommand(t *testing.T) {
	const n = 12
	emu, api, recipients := broadcastWorld(t, n)
	if err := emu.BlockBot(5, broadcastToken); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "herald.db")
	t.Setenv("BOT_TOKEN", broadcastToken)
	out, err := runCmd(t, "broadcast", "--db", db, "--api", api, "--recipients", recipients, "--name", "news",
		"--text", "<b>Hello</b>", "--parse-mode", "HTML", "--button", "Site=https://example.com", "--button", "Docs=https://example.com/docs")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"campaign 1 created: 12 recipients", "\r[", "100% 12/12", "sent 11", "blocked 1", "msg/s", "ETA 0s",
		"campaign 1: 11 sent, 1 blocked, 0 failed, 0 skipped, 0 remaining"} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%q", want, out)
		}
	}
	if strings.Contains(out, "broadcast-cmd-secret") {
		t.Fatal("token printed")
	}
	msgs := botMessages(t, emu, n)
	for id := int64(1); id <= n; id++ {
		want := 1
		if id == 5 {
			want = 0
		}
		if len(msgs[id]) != want {
			t.Fatalf("chat %d: %d messages, want %d", id, len(msgs[id]), want)
		}
	}
	m := msgs[1][0]
	if m.Text != "Hello" || !strings.Contains(string(m.ReplyMarkup), "https://example.com/docs") {
		t.Fatalf("message %+v, markup %s", m, m.ReplyMarkup)
	}

	// Resuming a finished campaign sends nothing more.
	if out, err := runCmd(t, "broadcast", "--db", db, "--api", api, "--from-campaign", "1"); err != nil || !strings.Contains(out, "11 sent, 1 blocked") {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	if st, _ := emu.Stats(broadcastToken); st.Requests["sendMessage"] != n || st.TooManyRequests != 0 {
		t.Fatalf("emulator: %d sendMessage, %d 429s", st.Requests["sendMessage"], st.TooManyRequests)
	}
	out, err = runCmd(t, "broadcast", "list", "--db", db)
	if err != nil || !strings.Contains(out, "REMAINING") || !strings.Contains(out, "news") {
		t.Fatalf("list: %v\n%s", err, out)
	}
}

func TestBroadcastBadFlags(t *testing.T) {
	_, api, recipients := broadcastWorld(t, 1)
	db := filepath.Join(t.TempDir(), "herald.db")
	t.Setenv("BOT_TOKEN", broadcastToken)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--recipients", recipients}, "give --recipients and --text"},
		{[]string{"--recipients", recipients, "--text", "x", "--button", "nolink"}, `want label=url`},
		{[]string{"--recipients", api, "--text", "x"}, "no such file"},
		{[]string{"--from-campaign", "9"}, "not found"},
		{[]string{"--from-campaign", "9", "--text", "x"}, "keeps its own settings"},
	} {
		args := append([]string{"broadcast", "--db", db, "--api", api}, tc.args...)
		if out, err := runCmd(t, args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q\n%s", tc.args, err, tc.want, out)
		}
	}
	t.Setenv("BOT_TOKEN", "")
	if _, err := runCmd(t, "broadcast", "--db", db, "--recipients", recipients, "--text", "x"); err == nil || !strings.Contains(err.Error(), "BOT_TOKEN") {
		t.Errorf("no token: %v", err)
	}
}

// kill -9 mid-broadcast, then resume: every recipient has exactly one
// message. The command is built and run as a real process, killed with
// SIGKILL once 40 of its messages have arrived, and resumed by a second
// process that takes over the dead one's lease at once.
func TestBroadcastKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	const n = 120
	emu, api, recipients := broadcastWorld(t, n)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	bin := buildHerald(t, ctx)
	db := filepath.Join(dir, "herald.db")
	command := func(args ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, bin, append([]string{"broadcast", "--db", db, "--api", api}, args...)...)
		cmd.Env = append(os.Environ(), "BOT_TOKEN="+broadcastToken)
		return cmd
	}
	sent := func() int64 {
		st, _ := emu.Stats(broadcastToken)
		return st.Requests["sendMessage"]
	}

	first := command("--recipients", recipients, "--text", "once only")
	var firstOut syncBuffer
	first.Stderr = &firstOut
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	for sent() < 40 && ctx.Err() == nil {
		time.Sleep(time.Millisecond)
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	atKill := sent()
	if atKill >= n {
		t.Fatalf("the first process had sent everything (%d) before the kill", atKill)
	}

	out, err := command("--from-campaign", "1").CombinedOutput()
	if err != nil {
		t.Fatalf("resume: %v\n%s\nfirst run:\n%s", err, out, firstOut.String())
	}
	msgs := botMessages(t, emu, n)
	for id := int64(1); id <= n; id++ {
		if len(msgs[id]) != 1 {
			t.Fatalf("chat %d has %d messages, want exactly 1\nresume:\n%s", id, len(msgs[id]), out)
		}
	}
	if st, _ := emu.Stats(broadcastToken); st.TooManyRequests != 0 {
		t.Fatalf("%d 429s", st.TooManyRequests)
	}
	if !strings.Contains(string(out), "remaining") || !strings.Contains(string(out), " 0 remaining") {
		t.Fatalf("resume output:\n%s", out)
	}
	t.Logf("killed after %d messages; resumed: %s", atKill, strings.TrimSpace(string(out[strings.LastIndex(string(out), "campaign 1:"):])))
}

// TestBroadcastReportsFailures: a recipient the bot cannot reach is
// reported with Telegram's reason; a campaign that reached nobody exits
// with status 2, one that reached someone with 0.
func TestBroadcastReportsFailures(t *testing.T) {
	_, api, _ := broadcastWorld(t, 2)
	t.Setenv("BOT_TOKEN", broadcastToken)
	dir := t.TempDir()
	write := func(name string, ids ...int64) string {
		var b strings.Builder
		for _, id := range ids {
			fmt.Fprintf(&b, "%d\n", id)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}

	// Two users who wrote to the bot and one chat that does not exist.
	out, err := runCmd(t, "broadcast", "--db", filepath.Join(dir, "some.db"), "--api", api,
		"--recipients", write("some.txt", 1, 999, 2), "--text", "news")
	if err != nil {
		t.Fatalf("some sent: %v\n%s", err, out)
	}
	for _, want := range []string{"campaign 1: 2 sent, 0 blocked, 1 failed", "failed: 1 × ", "chat not found", "(chat 999)"} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}

	// Only chats that do not exist: nothing sent, exit status 2, the
	// reason once with its count and the first five chats.
	out, err = runCmd(t, "broadcast", "--db", filepath.Join(dir, "none.db"), "--api", api,
		"--recipients", write("none.txt", 901, 902, 903, 904, 905, 906, 907), "--text", "news")
	if err == nil || exitCode(err) != exitNothingSent {
		t.Fatalf("nothing sent: err %v (exit %d), want exit %d\n%s", err, exitCode(err), exitNothingSent, out)
	}
	for _, want := range []string{"0 sent, 0 blocked, 7 failed", "failed: 7 × ", "(chat 901, 902, 903, 904, 905, … 2 more)", "no recipient got the message"} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	t.Logf("nothing sent:\n%s", out)
	if strings.Count(out, "failed: ") != 1 {
		t.Fatalf("one reason should make one line:\n%s", out)
	}
	if strings.Contains(out, broadcastToken) {
		t.Fatalf("the output shows the token:\n%s", out)
	}
}
