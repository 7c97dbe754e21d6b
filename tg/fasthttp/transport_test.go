package fasthttp_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/tg"
	"github.com/heraldbot/herald/tg/fasthttp"
)

const token = "4242:fasthttp-test-token"

// newClient starts an emulator over real HTTP and returns a tg.Client on
// the fasthttp transport.
func newClient(t *testing.T) (*tg.Client, *emulator.Emulator) {
	t.Helper()
	emu := emulator.New(emulator.Options{Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(func() { _ = emu.Close(); srv.Close() })
	c, err := tg.New(token, tg.WithBaseURL(srv.URL), tg.WithHTTPClient(fasthttp.Client(fasthttp.Config{})))
	if err != nil {
		t.Fatal(err)
	}
	return c, emu
}

// TestCalls: JSON calls, a streamed upload, a download and a Bot API
// error all behave as on net/http.
func TestCalls(t *testing.T) {
	c, emu := newClient(t)
	ctx := t.Context()
	me, err := c.GetMe(ctx)
	if err != nil || me.ID != 4242 {
		t.Fatalf("GetMe = %+v, %v", me, err)
	}
	sent, err := emu.SendMessage(ctx, emulator.UserMessage{Token: token, From: tg.User{ID: 7, FirstName: "Ann"}, Text: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Timeout: 1})
	if err != nil || len(ups) != 1 || ups[0].UpdateID != sent.UpdateID || ups[0].Message.Text != "hi" {
		t.Fatalf("GetUpdates = %+v, %v", ups, err)
	}
	m, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(7), Text: "héllo ✓"})
	if err != nil || m.Text != "héllo ✓" || m.Chat.ID != 7 {
		t.Fatalf("SendMessage = %+v, %v", m, err)
	}

	content := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB, streamed as chunked multipart
	doc, err := c.SendDocument(ctx, tg.SendDocumentParams{ChatID: tg.ID(7), Document: tg.FileUpload("data.bin", bytes.NewReader(content))})
	if err != nil || doc.Document == nil {
		t.Fatalf("SendDocument = %+v, %v", doc, err)
	}
	f, err := c.GetFile(ctx, tg.GetFileParams{FileID: doc.Document.FileID})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := c.DownloadFile(ctx, f.FilePath)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	_ = rc.Close()
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("downloaded %d bytes (%v), want the %d uploaded", len(got), err, len(content))
	}

	_, err = c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(999_999), Text: "nobody"})
	var apiErr *tg.Error
	if !errors.As(err, &apiErr) || apiErr.Code != 400 || !strings.Contains(apiErr.Description, "chat not found") {
		t.Fatalf("SendMessage to an unknown chat = %v, want a 400 *tg.Error", err)
	}
	if strings.Contains(err.Error(), "fasthttp-test-token") {
		t.Fatalf("the error shows the token: %v", err)
	}
}

// TestLongPollCancel: a long poll returns as soon as its context is
// cancelled, and the client keeps working after it.
func TestLongPollCancel(t *testing.T) {
	c, _ := newClient(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Timeout: 30})
		done <- err
	}()
	time.Sleep(100 * time.Millisecond) // let the poll reach the emulator
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled GetUpdates = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("GetUpdates did not return within 5 s of its context's end")
	}
	if _, err := c.GetMe(t.Context()); err != nil {
		t.Fatalf("GetMe after a cancelled poll: %v", err)
	}
}

// TestDeadline: a call whose context has a deadline fails with the
// context's error when the server does not answer in time.
func TestDeadline(t *testing.T) {
	stall := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-stall }))
	defer srv.Close()
	defer close(stall)
	c, err := tg.New(token, tg.WithBaseURL(srv.URL), tg.WithHTTPClient(fasthttp.Client(fasthttp.Config{})))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.GetMe(ctx)
	var ne *tg.NetworkError
	if !errors.As(err, &ne) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("GetMe past its deadline = %v, want a *tg.NetworkError wrapping context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("GetMe returned after %v", d)
	}
}

// TestNonJSON: a proxy's HTML error page becomes a *tg.Error with the
// HTTP status, as with net/http.
func TestNonJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html>bad gateway</html>")
	}))
	defer srv.Close()
	c, err := tg.New(token, tg.WithBaseURL(srv.URL), tg.WithHTTPClient(fasthttp.Client(fasthttp.Config{})))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetMe(t.Context())
	var apiErr *tg.Error
	if !errors.As(err, &apiErr) || apiErr.Code != 502 || apiErr.RetryAfter != 3*time.Second {
		t.Fatalf("GetMe = %#v, want a 502 *tg.Error with RetryAfter 3s", err)
	}
}
