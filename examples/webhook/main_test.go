package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

func TestWebhookNextToOtherRoutes(t *testing.T) {
	api := emutest.Start(t, emulator.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	const token = "1002:webhook"
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, token, "http://"+addr+"/telegram", addr, api.Client())
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}()

	emutest.Until(t, 10*time.Second, "/healthz to answer ok", func() bool { // the application's own route works
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return err == nil && string(body) == "ok\n"
	})
	emutest.Until(t, 10*time.Second, "setWebhook to be called", func() bool {
		st, err := api.Emu.Stats(token)
		return err == nil && st.Requests["setWebhook"] > 0
	})
	chat := api.Chat(t, token, tg.User{ID: 6, FirstName: "Bo"})
	chat.Send("/start")
	chat.WaitFor("the answer through the webhook", func(e emulator.Entry) bool {
		return e.Sender == "bot" && e.Text == "Hello from a webhook!"
	})
	if es := chat.Transcript(); len(es) != 2 { // /start and the one answer
		t.Fatalf("transcript:\n%s", emutest.Dump(es))
	}
}
