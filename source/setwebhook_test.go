package source

import (
	"fmt"
	"strings"
	"testing"

	"github.com/heraldbot/herald/internal/testkit"

	"github.com/heraldbot/herald/tg"
)

func TestSetWebhookValidates(t *testing.T) {
	api := newAPIServer(t)
	c := api.client(t)
	ctx := testkit.Context(t)
	for _, cfg := range []tg.SetWebhookParams{
		{},
		{URL: "/relative"},
		{URL: "ftp://example.com/hook"},
		{URL: "https://example.com/hook", SecretToken: "has space"},
		{URL: "https://example.com/hook", SecretToken: strings.Repeat("a", 257)},
		{URL: "https://example.com/hook", MaxConnections: 101},
		{URL: "https://example.com/hook", MaxConnections: -1},
	} {
		err := SetWebhook(ctx, c, cfg)
		if err == nil {
			t.Fatalf("SetWebhook(%+v) succeeded", cfg)
		}
		if cfg.URL != "" && strings.Contains(err.Error(), cfg.URL) {
			t.Fatalf("error shows the URL: %v", err)
		}
	}
	api.noCall(t, "setWebhook")
}

func TestSetWebhookParams(t *testing.T) {
	api := newAPIServer(t)
	c := api.client(t)
	ctx := testkit.Context(t)
	secret := NewSecretToken()
	if !validSecret(secret) || len(secret) < 20 {
		t.Fatalf("NewSecretToken = %q", secret)
	}
	err := SetWebhook(ctx, c, tg.SetWebhookParams{
		URL: "https://127.0.0.1:8443/hook", SecretToken: secret, MaxConnections: 7,
		AllowedUpdates: []string{"message", "callback_query"}, DropPendingUpdates: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	call := api.nextCall(t, "setWebhook")
	got := fmt.Sprint(call.params)
	want := fmt.Sprintf("map[allowed_updates:[message callback_query] drop_pending_updates:true max_connections:7 secret_token:%s url:https://127.0.0.1:8443/hook]", secret)
	if got != want {
		t.Fatalf("setWebhook params\n got %s\nwant %s", got, want)
	}
	info, err := WebhookInfo(ctx, c)
	if err != nil || info.URL != "https://127.0.0.1:8443/hook" || info.MaxConnections != 7 {
		t.Fatalf("WebhookInfo = %+v, %v", info, err)
	}
	if err := DeleteWebhook(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	if call := api.nextCall(t, "deleteWebhook"); len(call.params) != 0 {
		t.Fatalf("deleteWebhook params %v, want none", call.params)
	}
	// Telegram's refusal comes back as a tg error.
	api.setInject(func(method string, _ int, _ apiCall) *fault {
		return &fault{400, `{"ok":false,"error_code":400,"description":"Bad Request: bad webhook: HTTPS url must be provided for webhook"}`}
	})
	if err := SetWebhook(ctx, c, tg.SetWebhookParams{URL: "http://example.com/x"}); err == nil || !strings.Contains(err.Error(), "HTTPS url must be provided") {
		t.Fatalf("SetWebhook = %v", err)
	}
	if _, err := WebhookInfo(ctx, c); err == nil {
		t.Fatal("WebhookInfo did not fail")
	}
	if err := DeleteWebhook(ctx, c, true); err == nil {
		t.Fatal("DeleteWebhook did not fail")
	}
}
