package metrics_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/metrics"
	"github.com/heraldbot/herald/tg"
)

// TestWebhookRejections: a bot in webhook mode, wired with metrics.Option,
// serves /metrics on its own webhook server; the rejected requests (no
// secret, not JSON, too large) and an accepted update are counted by
// status code.
func TestWebhookRejections(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	const secret = "s3cret-token"
	reg := prometheus.NewRegistry()
	bot, err := herald.New("7402:webhook", metrics.Option(reg, reg),
		herald.WithLogger(emutest.Quiet()), herald.WithErrorReply(""),
		herald.WithClientOptions(tg.WithBaseURL(srv.URL)),
		herald.WithWebhook(herald.WebhookConfig{Listener: ln, Path: "/hook", SecretToken: secret, MaxBodyBytes: 1024}))
	if err != nil {
		t.Fatal(err)
	}
	handled := make(chan struct{}, 1)
	bot.Router().Message(func(*herald.Context) error { handled <- struct{}{}; return nil })
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- bot.Run(ctx) }()
	defer func() { cancel(); <-done }()

	get := func() (int, string) {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			return 0, ""
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = io.Copy(&b, resp.Body)
		return resp.StatusCode, b.String()
	}
	emutest.Until(t, 10*time.Second, "the webhook server to serve /metrics", func() bool { code, _ := get(); return code == http.StatusOK })

	post := func(secretHeader, contentType, body string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+"/hook", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if secretHeader != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secretHeader)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	update := `{"update_id":42,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"U"},"text":"hi"}}`
	for _, c := range []struct {
		secret, ct, body string
		want             int
	}{
		{"", "application/json", update, http.StatusUnauthorized},
		{"wrong", "application/json", update, http.StatusUnauthorized},
		{secret, "text/plain", update, http.StatusUnsupportedMediaType},
		{secret, "application/json", `{"update_id":43,"pad":"` + strings.Repeat("x", 2048) + `"}`, http.StatusRequestEntityTooLarge},
		{secret, "application/json", update, http.StatusOK},
	} {
		if got := post(c.secret, c.ct, c.body); got != c.want {
			t.Fatalf("POST (secret %q, %s) = %d, want %d", c.secret, c.ct, got, c.want)
		}
	}
	<-handled
	_, page := get()
	wantLines(t, page,
		`herald_webhook_responses_total{code="401"} 2`,
		`herald_webhook_responses_total{code="415"} 1`,
		`herald_webhook_responses_total{code="413"} 1`,
		`herald_webhook_responses_total{code="200"} 1`,
	)
}

// The middleware counts a handler that writes nothing as 200, and the
// first status written.
func TestWebhookMiddlewareCodes(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []http.HandlerFunc{
		func(http.ResponseWriter, *http.Request) {},
		func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) },
		func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.WriteHeader(http.StatusOK) // superfluous: ignored by net/http too
		},
	} {
		m.WebhookMiddleware(h).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", nil))
	}
	wantLines(t, scrape(t, metrics.Handler(reg)),
		`herald_webhook_responses_total{code="200"} 2`,
		`herald_webhook_responses_total{code="503"} 1`,
	)
}
