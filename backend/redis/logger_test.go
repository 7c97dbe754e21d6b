package redis

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// recordHandler keeps the records logged through it.
type recordHandler struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *recordHandler) WithGroup(string) slog.Handler            { return h }
func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recs = append(h.recs, r.Clone())
	return nil
}

// find returns the first record whose message holds part.
func (h *recordHandler) find(part string) (slog.Record, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.recs {
		if strings.Contains(r.Message, part) {
			return r, true
		}
	}
	return slog.Record{}, false
}

// closedAddr returns a loopback address nobody listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// wantDialFailure fails unless h got go-redis's "failed to dial" line for
// addr, at Warn, marked component=go-redis, without the "redis: " prefix.
func wantDialFailure(t *testing.T, h *recordHandler, addr string) {
	t.Helper()
	r, ok := h.find("failed to dial")
	if !ok {
		t.Fatal("no go-redis dial failure in the slog handler")
	}
	if r.Level != slog.LevelWarn || strings.HasPrefix(r.Message, "redis: ") || !strings.Contains(r.Message, addr) {
		t.Errorf("record %v %q: want Warn, the address %s, no prefix", r.Level, r.Message, addr)
	}
	component := ""
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "component" {
			component = a.Value.String()
		}
		return true
	})
	if component != "go-redis" {
		t.Errorf("component = %q, want go-redis", component)
	}
}

// The go-redis pool's own line about a connection it cannot dial arrives
// in the slog handler of Options.Logger given to Open (the dial to a
// closed port happens in Open's PING).
func TestGoRedisLinesGoToSlog(t *testing.T) {
	t.Cleanup(func() { SetLogger(slog.Default()) })
	h := &recordHandler{}
	addr := closedAddr(t)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	s, err := Open(ctx, "redis://"+addr+"/0?max_retries=-1&dial_timeout=2s", Options{Logger: slog.New(h)})
	if err == nil {
		s.Close()
		t.Fatalf("Open of %s (closed) succeeded", addr)
	}
	wantDialFailure(t, h, addr)
}

// The last logger wins, and a client made before the swap logs to the new
// one: the adapter reads the current logger at each line.
func TestGoRedisLoggerLastWins(t *testing.T) {
	t.Cleanup(func() { SetLogger(slog.Default()) })
	first, second := &recordHandler{}, &recordHandler{}
	addr := closedAddr(t)
	c := goredis.NewClient(&goredis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1})
	defer c.Close()
	New(c, 1, Options{Logger: slog.New(first)})
	New(c, 1, Options{Logger: slog.New(second)})
	if err := c.Ping(t.Context()).Err(); err == nil {
		t.Fatalf("PING to %s (closed) succeeded", addr)
	}
	wantDialFailure(t, second, addr)
	if _, ok := first.find("failed to dial"); ok {
		t.Error("the replaced logger still receives go-redis lines")
	}
}
