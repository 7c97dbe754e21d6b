package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/heraldbot/herald/emulator"
)

// emuServer is one scenario's emulator, served on a loopback port.
type emuServer struct {
	emu   *emulator.Emulator
	srv   *http.Server
	base  string         // http://127.0.0.1:port
	level *slog.LevelVar // of the emulator's logs
}

// startEmulator serves a new emulator with its limits off that tells t
// of every message the bot of token sends. Its logs are errors only
// until watch is called.
func startEmulator(token string, maxPending int, t *tracker, log *slog.Logger) (*emuServer, error) {
	off := emulator.NoLimits()
	level := new(slog.LevelVar)
	level.Set(slog.LevelError)
	emu := emulator.New(emulator.Options{
		Limits:            &off,
		Logger:            slog.New(levelHandler{log.Handler(), level}),
		MaxPendingUpdates: maxPending,
		OnEvent: func(tok string, ev emulator.Event) {
			if tok == token && ev.Type == "sent" && ev.Message != nil && ev.Message.Sender == "bot" {
				t.reply(ev.ChatID, ev.Message.Text)
			}
		},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = emu.Close()
		return nil, err
	}
	srv := &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() { _ = srv.Serve(ln) }()
	return &emuServer{emu: emu, srv: srv, base: "http://" + ln.Addr().String(), level: level}, nil
}

// watch lets the emulator's warnings through: once the bot is up, a
// failed webhook delivery is news (before, the bot may not listen yet).
func (s *emuServer) watch() { s.level.Set(slog.LevelWarn) }

// levelHandler is h with a level of its own.
type levelHandler struct {
	slog.Handler
	level slog.Leveler
}

func (h levelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level.Level() && h.Handler.Enabled(ctx, l)
}

func (h levelHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return levelHandler{h.Handler.WithAttrs(as), h.level}
}

func (h levelHandler) WithGroup(name string) slog.Handler {
	return levelHandler{h.Handler.WithGroup(name), h.level}
}

// endPolls ends the long polls in flight (and every webhook delivery):
// a bot told to stop need not wait for its poll to time out.
func (s *emuServer) endPolls() { _ = s.emu.Close() }

func (s *emuServer) close() {
	_ = s.emu.Close()
	_ = s.srv.Close()
}

// freeAddr returns a loopback address with a port free at the time of
// the call, for a bot's webhook listener.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}
