package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"
)

// TestEveryBot runs every bot for a small load, by long polling and by
// webhook, and checks that each answered every message. The node bots
// are skipped when node or npm cannot be had, unless CI is set: then
// that fails the test.
func TestEveryBot(t *testing.T) {
	cfg := config{Bots: catalog, Modes: []string{modePolling, modeWebhook}, Works: []time.Duration{0},
		Users: 20, Messages: 5, Repeat: 1, Timeout: 45 * time.Second}
	if err := cfg.check(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	dir, err := findModule("")
	if err != nil {
		t.Fatal(err)
	}
	// The build is bounded by prepare (it is quick once the build cache
	// is warm); the runs by the context.
	bins, cleanup, err := prepare(context.Background(), dir, cfg.Bots, log)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Second)
	defer cancel()
	r := &runner{cfg: cfg, bins: bins, log: log, progress: io.Discard}
	for _, sc := range scenarios(cfg) {
		t.Run(sc.Bot.Name+"/"+sc.Mode, func(t *testing.T) {
			if ok, why := sc.Bot.supports(sc.Mode); !ok {
				t.Skipf("n/a: %s", why)
			}
			if why := bins.skipped[sc.Bot.Name]; why != "" {
				if os.Getenv("CI") != "" {
					t.Fatalf("CI is set but the %s bot cannot run: %s", sc.Bot.Name, why)
				}
				t.Skipf("the %s bot cannot run here (%s); set CI=true to make this a failure", sc.Bot.Name, why)
			}
			res := r.run(ctx, sc, sc.String())
			if res.Error != "" {
				t.Fatalf("run failed: %s", res.Error)
			}
			if res.Lost != 0 || res.Answered != cfg.Users*cfg.Messages {
				t.Errorf("answered %d of %d (%d lost)", res.Answered, cfg.Users*cfg.Messages, res.Lost)
			}
			if res.Duplicates != 0 || res.Stray != 0 {
				t.Errorf("%d duplicate and %d stray replies", res.Duplicates, res.Stray)
			}
			if res.Rate <= 0 || res.PeakRSS <= 0 || res.P99 <= 0 {
				t.Errorf("figures missing: %.0f updates/s, peak RSS %d, p99 %v", res.Rate, res.PeakRSS, res.P99)
			}
			t.Logf("%.0f updates/s, %.0f µs CPU/update, %.1f MB peak RSS, %d out of order, stopped: %s",
				res.Rate, res.CPUus, float64(res.PeakRSS)/(1<<20), res.Unordered, res.Stop)
		})
	}
}

// testWriter sends log lines to t.Log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(b))
	return len(b), nil
}
