package middleware

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/tg"
)

// At Info level a handled update is logged in one Info line and a failing
// one at Warn, both without the token or the message's text.
func TestLoggingNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`)
	}))
	defer srv.Close()
	b, err := herald.New("123:TOPSECRET", herald.WithClientOptions(tg.WithBaseURL(srv.URL)), herald.WithErrorReply(""),
		herald.WithErrorHandler(func(*herald.Context, error) {}))
	if err != nil {
		t.Fatal(err)
	}
	b.Router().Use(Logging(log))
	b.Router().Command("ok", func(*herald.Context) error { return nil })
	b.Router().Message(func(c *herald.Context) error { _, err := c.Reply("echo: " + c.Text()); return err })
	ctx := context.Background()
	u := msg(1, 1, 1, "private")
	u.Message.Text = "/ok my password is hunter2"
	_ = b.HandleUpdate(ctx, u)
	if out := buf.String(); strings.Count(out, "\n") != 1 || !strings.Contains(out, "level=INFO") || !strings.Contains(out, "update_id=1") {
		t.Errorf("a handled update: log %q, want one Info line", out)
	}
	u = msg(2, 1, 1, "private")
	u.Message.Text = "my card is 4111"
	_ = b.HandleUpdate(ctx, u)
	out := buf.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "update_id=2") {
		t.Fatalf("failed update not logged: %q", out)
	}
	for _, secret := range []string{"TOPSECRET", "4111", "hunter2"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q: %q", secret, out)
		}
	}
}

// The bot's logger is used when Logging gets nil.
func TestLoggingBotLogger(t *testing.T) {
	var buf bytes.Buffer
	b, err := herald.New("1:secret", herald.WithErrorReply(""), herald.WithErrorHandler(func(*herald.Context, error) {}),
		herald.WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	b.Router().Use(Logging(nil))
	b.Router().Message(func(*herald.Context) error { return nil })
	_ = b.HandleUpdate(context.Background(), msg(5, 3, 4, "private"))
	if out := buf.String(); !strings.Contains(out, "level=INFO") || !strings.Contains(out, "chat_id=3") || !strings.Contains(out, "user_id=4") {
		t.Errorf("log = %q", out)
	}
}
