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
	emu := api.Emu
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

	deadline := time.Now().Add(10 * time.Second)
	for { // the application's own route works
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) == "ok\n" {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz never answered: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for { // the webhook is set
		st, err := emu.Stats(token)
		if err == nil && st.Requests["setWebhook"] > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("setWebhook was not called")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := emu.SendMessage(ctx, emulator.UserMessage{Token: token, From: tg.User{ID: 6, FirstName: "Bo"}, Text: "/start"}); err != nil {
		t.Fatal(err)
	}
	for {
		entries, _ := emu.Transcript(token, 6)
		if len(entries) == 2 && entries[1].Text == "Hello from a webhook!" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer through the webhook: %+v", entries)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
