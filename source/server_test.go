package source

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/internal/testkit"

	"github.com/heraldbot/herald/tg"
)

// selfSigned writes a certificate for 127.0.0.1 and its key to dir.
func selfSigned(t *testing.T) *TLSFiles {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := &TLSFiles{CertFile: filepath.Join(dir, "cert.pem"), KeyFile: filepath.Join(dir, "key.pem")}
	if err := os.WriteFile(f.CertFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.KeyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// startServer serves h on 127.0.0.1 with s's settings; stop cancels it
// and returns Serve's result.
func startServer(t *testing.T, s *WebhookServer) (addr string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if s.Logger == nil {
		s.Logger, _ = newTestLogger()
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ctx, ln) }()
	var done bool
	var result error
	stop = func() error {
		if !done {
			done = true
			cancel()
			select {
			case result = <-errc:
			case <-time.After(15 * time.Second):
				t.Fatal("Serve did not return")
			}
		}
		return result
	}
	t.Cleanup(func() { _ = stop() })
	return ln.Addr().String(), stop
}

// TestWebhookServerGracefulShutdown: a request in progress when the
// context is cancelled still gets its answer, then Serve returns nil.
func TestWebhookServerGracefulShutdown(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(entered)
		<-release
		_, _ = io.WriteString(w, "done")
	})
	addr, stop := startServer(t, &WebhookServer{Handler: h})
	got := make(chan string, 1)
	go func() {
		resp, err := http.Post("http://"+addr+"/", "application/json", strings.NewReader("{}"))
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-entered
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	select {
	case err := <-stopped:
		t.Fatalf("Serve returned %v with a request in progress", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if b := <-got; b != "done" {
		t.Fatalf("in-flight request got %q", b)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("Serve = %v", err)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("still listening after shutdown")
	}
}

// TestWebhookServerShutdownDeadline: a request that outlives
// ShutdownTimeout is cut off and Serve still returns.
func TestWebhookServerShutdownDeadline(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		close(entered)
		<-release
	})
	addr, stop := startServer(t, &WebhookServer{Handler: h, ShutdownTimeout: 20 * time.Millisecond})
	go func() {
		resp, err := http.Post("http://"+addr+"/", "application/json", strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	if err := stop(); err != nil {
		t.Fatalf("Serve = %v", err)
	}
}

func TestWebhookServerErrors(t *testing.T) {
	ctx := testkit.Context(t)
	bad := &TLSFiles{CertFile: filepath.Join(t.TempDir(), "none.pem"), KeyFile: "none.key"}
	if err := Serve(ctx, "127.0.0.1:0", http.NotFoundHandler(), bad); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Serve with missing certificate = %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := Serve(ctx, ln.Addr().String(), http.NotFoundHandler(), nil); err == nil {
		t.Fatal("Serve on a busy address succeeded")
	}
	if err := (&WebhookServer{}).Serve(ctx, ln); err == nil {
		t.Fatal("Serve without a handler succeeded")
	}
}

// TestWebhookEmulatorEndToEnd: the emulator delivers updates over HTTPS
// to a Webhook behind a WebhookServer, checking the secret; inline
// replies are executed by the emulator; a wrong secret is refused.
func TestWebhookEmulatorEndToEnd(t *testing.T) {
	api := newAPIServer(t)
	c := api.client(t)
	ctx := testkit.Context(t)
	secret := NewSecretToken()

	sink := newRecSink()
	sink.onSubmit = func(_ context.Context, u *tg.Update, ack Ack) error {
		go ack(&Reply{Method: "sendMessage", Params: tg.SendMessageParams{
			ChatID: tg.ID(u.Message.Chat.ID), Text: "echo: " + u.Message.Text,
		}}, nil)
		return nil
	}
	logger, _ := newTestLogger()
	mux := http.NewServeMux()
	mux.Handle("/telegram/hook", NewWebhook(sink, WebhookConfig{SecretToken: secret, Logger: logger}))
	addr, stop := startServer(t, &WebhookServer{Handler: mux, TLS: selfSigned(t)})
	url := "https://" + addr + "/telegram/hook"

	events, unsubscribe, err := api.emu.Subscribe(testToken, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unsubscribe()
	if err := SetWebhook(ctx, c, tg.SetWebhookParams{URL: url, SecretToken: secret, MaxConnections: 5, AllowedUpdates: []string{"message"}}); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for i := range 6 {
		from := []tg.User{ann, bob}[i%2]
		text := fmt.Sprintf("m%d", i)
		api.say(t, from, text)
		want["echo: "+text] = true
	}
	for len(want) > 0 {
		select {
		case ev := <-events:
			if ev.Type == "sent" && ev.Message != nil && ev.Message.Sender == "bot" {
				if !want[ev.Message.Text] {
					t.Fatalf("unexpected bot message %q", ev.Message.Text)
				}
				delete(want, ev.Message.Text)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no bot reply; still waiting for %v", want)
		}
	}
	info, err := WebhookInfo(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if info.URL != url || info.MaxConnections != 5 || info.LastErrorMessage != "" {
		t.Fatalf("webhook info %+v", info)
	}

	// The same endpoint with a wrong secret: deliveries are refused.
	if err := SetWebhook(ctx, c, tg.SetWebhookParams{URL: url, SecretToken: "wrong"}); err != nil {
		t.Fatal(err)
	}
	before := len(sink.got)
	api.say(t, ann, "intruder?")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if info, err = WebhookInfo(ctx, c); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(info.LastErrorMessage, "401") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no 401 recorded: %+v", info)
		}
	}
	if len(sink.got) != before {
		t.Fatal("an update with a wrong secret reached the sink")
	}
	if err := DeleteWebhook(ctx, c, true); err != nil {
		t.Fatal(err)
	}
	if info, err = WebhookInfo(ctx, c); err != nil || info.URL != "" || info.PendingUpdateCount != 0 {
		t.Fatalf("after delete: %+v, %v", info, err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// onceFullSink is full for its first update, then acks everything.
type onceFullSink struct {
	n   atomic.Int32
	rec *recSink
}

func (s *onceFullSink) TrySubmit(u *tg.Update, ack Ack) error {
	if s.n.Add(1) == 1 {
		return ErrFull
	}
	ack(nil, nil)
	return s.rec.Submit(context.Background(), u, ack)
}

func (s *onceFullSink) Submit(_ context.Context, u *tg.Update, ack Ack) error {
	return s.TrySubmit(u, ack)
}

// TestWebhookEmulatorFullSink: a 503 with Retry-After makes the emulator
// deliver the update again later, so nothing is lost.
func TestWebhookEmulatorFullSink(t *testing.T) {
	api := newAPIServer(t)
	c := api.client(t)
	ctx := testkit.Context(t)
	sink := &onceFullSink{rec: newRecSink()}
	logger, _ := newTestLogger()
	hook := NewWebhook(sink, WebhookConfig{SecretToken: hookSecret, SubmitTimeout: -1, Logger: logger})
	addr, _ := startServer(t, &WebhookServer{Handler: hook})
	if err := SetWebhook(ctx, c, tg.SetWebhookParams{URL: "http://" + addr + "/", SecretToken: hookSecret}); err != nil {
		t.Fatal(err)
	}
	api.say(t, ann, "retry me")
	if x := sink.rec.next(t); x.u.Message.Text != "retry me" {
		t.Fatalf("got %q", x.u.Message.Text)
	}
	st, err := api.emu.Stats(testToken)
	if err != nil {
		t.Fatal(err)
	}
	if st.WebhookFailures != 1 || sink.n.Load() != 2 {
		t.Fatalf("webhook failures = %d, attempts = %d; want 1 and 2", st.WebhookFailures, sink.n.Load())
	}
}

// TestWebhookServerClosesSpareConnections: a connection that never sent
// a request does not hold shutdown back (net/http alone waits up to 5 s).
func TestWebhookServerClosesSpareConnections(t *testing.T) {
	addr, stop := startServer(t, &WebhookServer{Handler: http.NotFoundHandler(), ShutdownTimeout: time.Hour})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A request on another connection proves the server has accepted.
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	start := time.Now()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Fatalf("shutdown took %v", d)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Fatal("spare connection still open")
	}
}

// TestWebhookServerServeErrors: Serve closes the listener it was given
// when the certificate cannot be loaded, and returns (without waiting for
// the context) when serving fails.
func TestWebhookServerServeErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &WebhookServer{Handler: http.NotFoundHandler(), TLS: &TLSFiles{
		CertFile: filepath.Join(t.TempDir(), "missing.pem"), KeyFile: filepath.Join(t.TempDir(), "missing.key"),
	}}
	if err := s.Serve(testkit.Context(t), ln); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Serve with a missing certificate = %v", err)
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("listener not closed: Accept = %v", err)
	}

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_ = closed.Close()
	errc := make(chan error, 1)
	go func() { errc <- (&WebhookServer{Handler: http.NotFoundHandler()}).Serve(testkit.Context(t), closed) }()
	select {
	case err := <-errc:
		if err == nil || !strings.Contains(err.Error(), "webhook server") {
			t.Fatalf("Serve on a closed listener = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve on a closed listener did not return")
	}
}
