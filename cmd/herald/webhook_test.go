package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heraldbot/herald/emulator"
)

func runCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.ExecuteContext(context.Background())
	return out.String() + errOut.String(), err
}

func TestWebhookCommands(t *testing.T) {
	emu := emulator.New(emulator.Options{})
	defer emu.Close()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	const token = "9911:webhook-cmd-secret"
	t.Setenv("BOT_TOKEN", token)
	hook := httptest.NewServer(nil) // a loopback URL the emulator accepts; nothing is delivered
	defer hook.Close()

	out, err := runCmd(t, "webhook", "--api", srv.URL, "set", hook.URL+"/hook", "--max-connections", "7", "--allowed-updates", "message,callback_query")
	if err != nil || !strings.Contains(out, "webhook set") || !strings.Contains(out, "secret token: ") {
		t.Fatalf("set: %v\n%s", err, out)
	}
	out, err = runCmd(t, "webhook", "--api", srv.URL, "info")
	if err != nil || !strings.Contains(out, hook.URL+"/hook") || !strings.Contains(out, "max connections:      7") || !strings.Contains(out, "callback_query,message") {
		t.Fatalf("info: %v\n%s", err, out)
	}
	out, err = runCmd(t, "webhook", "--api", srv.URL, "delete")
	if err != nil || !strings.Contains(out, "webhook deleted") {
		t.Fatalf("delete: %v\n%s", err, out)
	}
	out, err = runCmd(t, "webhook", "--api", srv.URL, "info")
	if err != nil || !strings.Contains(out, "long polling") {
		t.Fatalf("info after delete: %v\n%s", err, out)
	}
	if strings.Contains(out, "webhook-cmd-secret") {
		t.Error("token printed")
	}

	t.Setenv("BOT_TOKEN", "")
	if _, err := runCmd(t, "webhook", "--api", srv.URL, "info"); err == nil || !strings.Contains(err.Error(), "BOT_TOKEN") {
		t.Errorf("missing token: %v", err)
	}
	t.Setenv("BOT_TOKEN", token)
	if _, err := runCmd(t, "webhook", "--api", srv.URL, "set", "not a url"); err == nil {
		t.Error("a bad URL was accepted")
	}
}
