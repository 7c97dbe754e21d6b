package source

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// TLSFiles names a PEM certificate (chain) and its private key.
type TLSFiles struct {
	CertFile, KeyFile string
}

// WebhookServer runs an http.Server for a webhook handler with timeouts
// suited to Telegram, optional TLS, and graceful shutdown when the
// context is done. The zero values of its optional fields are defaults.
type WebhookServer struct {
	// Addr is the address to listen on, e.g. ":8443" (ListenAndServe).
	Addr string
	// Handler serves the requests, usually a *Webhook or a mux holding one.
	Handler http.Handler
	// TLS, when set, serves HTTPS with this certificate (TLS 1.2+);
	// nil serves plain HTTP, e.g. behind a TLS-terminating proxy.
	TLS *TLSFiles
	// WriteTimeout bounds a request from the end of its headers to the end
	// of the answer (default 60 s). Keep it above the Webhook's
	// InlineTimeout plus its SubmitTimeout.
	WriteTimeout time.Duration
	// ShutdownTimeout is how long shutdown waits for requests in progress
	// (inline webhooks waiting for their handlers) before closing their
	// connections (default 10 s).
	ShutdownTimeout time.Duration
	// Logger receives the server's logs (default slog.Default()).
	Logger *slog.Logger
}

// Serve runs a WebhookServer with default settings on addr until ctx is
// done; tlsFiles may be nil for plain HTTP.
func Serve(ctx context.Context, addr string, h http.Handler, tlsFiles *TLSFiles) error {
	s := &WebhookServer{Addr: addr, Handler: h, TLS: tlsFiles}
	return s.ListenAndServe(ctx)
}

// ListenAndServe listens on s.Addr and calls Serve.
func (s *WebhookServer) ListenAndServe(ctx context.Context) error {
	cfg, err := s.tlsConfig() // fail on bad files before listening
	if err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("source: webhook server: %w", err)
	}
	return s.serve(ctx, ln, cfg)
}

// Serve serves on ln until ctx is done, then shuts down gracefully:
// it stops accepting, waits up to ShutdownTimeout for requests in
// progress, closes the rest, and returns nil. It returns an error if
// the certificate cannot be loaded or serving fails. ln is closed.
func (s *WebhookServer) Serve(ctx context.Context, ln net.Listener) error {
	cfg, err := s.tlsConfig()
	if err != nil {
		_ = ln.Close()
		return err
	}
	return s.serve(ctx, ln, cfg)
}

func (s *WebhookServer) tlsConfig() (*tls.Config, error) {
	if s.TLS == nil {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(s.TLS.CertFile, s.TLS.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("source: webhook server: loading TLS certificate: %w", err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, nil
}

func (s *WebhookServer) serve(ctx context.Context, ln net.Listener, tlsCfg *tls.Config) error {
	if s.Handler == nil {
		_ = ln.Close()
		return errors.New("source: webhook server: nil Handler")
	}
	log := s.Logger
	if log == nil {
		log = slog.Default()
	}
	writeTimeout := s.WriteTimeout
	if writeTimeout <= 0 {
		writeTimeout = time.Minute
	}
	shutdownTimeout := s.ShutdownTimeout
	if shutdownTimeout <= 0 {
		shutdownTimeout = 10 * time.Second
	}
	srv := &http.Server{
		Handler:           s.Handler,
		TLSConfig:         tlsCfg,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelInfo),
	}
	conns := trackConns(srv)
	errc := make(chan error, 1)
	go func() {
		if tlsCfg != nil {
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	log.Info("source: webhook server listening", "addr", ln.Addr().String(), "tls", tlsCfg != nil)
	select {
	case err := <-errc:
		return fmt.Errorf("source: webhook server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := conns.shutdown(sctx, srv); err != nil {
		log.Warn("source: webhook server: requests still running at the shutdown deadline were cut off",
			"timeout", shutdownTimeout)
		_ = srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("source: webhook server: %w", err)
	}
	log.Info("source: webhook server stopped")
	return nil
}

// connTracker remembers the state of each connection, so that shutdown
// can close those that never sent a request: http.Server.Shutdown leaves
// them open for up to 5 s, and senders such as Telegram keep spare
// connections open.
type connTracker struct {
	mu    sync.Mutex
	state map[net.Conn]http.ConnState
}

func trackConns(srv *http.Server) *connTracker {
	t := &connTracker{state: make(map[net.Conn]http.ConnState)}
	srv.ConnState = func(c net.Conn, s http.ConnState) {
		t.mu.Lock()
		defer t.mu.Unlock()
		if s == http.StateClosed || s == http.StateHijacked {
			delete(t.state, c)
		} else {
			t.state[c] = s
		}
	}
	return t
}

// shutdown runs srv.Shutdown and meanwhile closes, every few
// milliseconds, the connections still waiting for their first request.
func (t *connTracker) shutdown(ctx context.Context, srv *http.Server) error {
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(ctx) }()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-tick.C:
			t.mu.Lock()
			for c, s := range t.state {
				if s == http.StateNew {
					_ = c.Close()
				}
			}
			t.mu.Unlock()
		}
	}
}
