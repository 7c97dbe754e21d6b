package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldbot/herald/emulator"
)

// TestWebhookSetOptions: a given secret is used and not echoed as a
// generated one, --allowed-updates tolerates spaces after commas, and
// --drop-pending works on set and delete.
func TestWebhookSetOptions(t *testing.T) {
	emu := emulator.New(emulator.Options{})
	defer emu.Close()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	t.Setenv("BOT_TOKEN", "9912:webhook-opts")
	t.Setenv("HERALD_API_URL", srv.URL) // instead of --api
	hook := httptest.NewServer(nil)
	defer hook.Close()

	out, err := runCmd(t, "webhook", "set", hook.URL+"/h", "--secret", "my_secret-1",
		"--allowed-updates", "message, callback_query", "--drop-pending")
	if err != nil || !strings.Contains(out, "webhook set") {
		t.Fatalf("set: %v\n%s", err, out)
	}
	if strings.Contains(out, "secret token:") {
		t.Errorf("a given secret was reported as generated:\n%s", out)
	}
	out, err = runCmd(t, "webhook", "info")
	if err != nil || !strings.Contains(out, "allowed updates:      callback_query,message\n") {
		t.Fatalf("info: %v\n%s", err, out)
	}
	if out, err := runCmd(t, "webhook", "delete", "--drop-pending"); err != nil || !strings.Contains(out, "webhook deleted") {
		t.Fatalf("delete: %v\n%s", err, out)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"webhook", "set", hook.URL, "--secret", "no spaces allowed"}, "secret token"},
		{[]string{"webhook", "set", hook.URL, "--max-connections", "101"}, "max connections"},
		{[]string{"webhook", "set"}, "accepts 1 arg"},
		{[]string{"webhook", "info", "extra"}, "unknown command"},
	} {
		if out, err := runCmd(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error about %q\n%s", tc.args, err, tc.want, out)
		}
	}
}

// TestRootFlags: bad --log-level and --log-format name the flag; JSON logs
// are JSON.
func TestRootFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"version", "--log-level", "loud"}, "--log-level"},
		{[]string{"version", "--log-format", "xml"}, "--log-format"},
	} {
		if _, err := runCmd(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error about %s", tc.args, err, tc.want)
		}
	}
	if out, err := runCmd(t, "version", "--log-format", "JSON", "--log-level", "DEBUG"); err != nil || !strings.Contains(out, "herald ") {
		t.Errorf("version with JSON logs: %v\n%s", err, out)
	}
}

// TestDemoBadFlags: the demo refuses a non-loopback address (its control
// API shows every token), bad limits, arguments, and a --db it cannot
// create.
func TestDemoBadFlags(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"demo", "--addr", "0.0.0.0:0", "--db", filepath.Join(t.TempDir(), "d.db")}, "not a loopback address"},
		{[]string{"demo", "--addr", "127.0.0.1:0", "--limits", "ludicrous"}, "ludicrous"},
		{[]string{"demo", "now"}, "unknown command"},
		{[]string{"demo", "--addr", "127.0.0.1:0", "--limits", "off", "--db", filepath.Join(file, "shop.db")}, "demo:"},
	} {
		if out, err := runCmd(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error about %q\n%s", tc.args, err, tc.want, out)
		}
	}
}
