package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/backend/redis"
	"github.com/heraldbot/herald/backend/sqlite"
)

// benchRun names one bot of a bench: "baseline", or Herald as
// "<polling|webhook>[+<memory|sqlite|redis>][+metrics|+observed]"
// (receiving mode, journal engine, and metrics, or metrics and traces).
type benchRun struct {
	name    string
	webhook bool
	journal string // "" (none), memory, sqlite, redis
	observe observe
}

// observe is what a bench bot exports.
type observe int

const (
	observeNothing    observe = iota
	observeMetrics            // metrics.Option
	observeEverything         // metrics.Option, and traces made without an exporter
)

// parseRuns reads the --runs list.
func parseRuns(list string) ([]benchRun, error) {
	var runs []benchRun
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		r := benchRun{name: name}
		parts := strings.Split(name, "+")
		switch parts[0] {
		case "baseline":
			if len(parts) > 1 {
				return nil, fmt.Errorf("--runs: %q: the baseline takes no +journal or +observed", name)
			}
		case "polling", "webhook":
			r.webhook = parts[0] == "webhook"
		default:
			return nil, fmt.Errorf("--runs: %q: want baseline, polling or webhook, optionally +memory, +sqlite or +redis, and +metrics or +observed", name)
		}
		for _, p := range parts[1:] {
			switch {
			case p == "metrics" && r.observe == observeNothing:
				r.observe = observeMetrics
			case p == "observed" && r.observe == observeNothing:
				r.observe = observeEverything
			case (p == "memory" || p == "sqlite" || p == "redis") && r.journal == "":
				r.journal = p
			default:
				return nil, fmt.Errorf("--runs: %q: unknown or repeated %q (want one of memory, sqlite or redis, and one of metrics or observed)", name, p)
			}
		}
		runs = append(runs, r)
	}
	if len(runs) == 0 {
		return nil, fmt.Errorf("--runs: no run named")
	}
	return runs, nil
}

// defaultRuns is the --runs list implied by --webhook and --baseline.
func defaultRuns(cfg benchConfig) string {
	runs := "polling"
	if cfg.Webhook {
		runs = "webhook"
	}
	if cfg.Baseline {
		runs += ",baseline"
	}
	return runs
}

// openBenchJournal opens the journal engine of a run; done closes it and
// removes what the run left.
func openBenchJournal(ctx context.Context, engine, redisURL string) (j backend.Journal, done func(), err error) {
	switch engine {
	case "":
		return nil, func() {}, nil
	case "memory":
		return memory.NewJournal(0), func() {}, nil
	case "sqlite":
		dir, err := os.MkdirTemp("", "herald-bench-")
		if err != nil {
			return nil, nil, err
		}
		s, err := sqlite.Open(ctx, filepath.Join(dir, "journal.db"), sqlite.Options{})
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		return s.Journal(), func() { s.Close(); os.RemoveAll(dir) }, nil
	case "redis":
		var b [4]byte
		_, _ = rand.Read(b[:])
		prefix := "herald-bench-" + hex.EncodeToString(b[:])
		s, err := redis.Open(ctx, redisURL, redis.Options{Prefix: prefix})
		if err != nil {
			return nil, nil, fmt.Errorf("redis journal at %s: %w", redisURL, err)
		}
		return s.Journal(), func() { s.Close(); dropKeys(redisURL, prefix) }, nil
	}
	return nil, nil, fmt.Errorf("unknown journal %q", engine)
}

// dropKeys deletes the keys a bench run left under prefix.
func dropKeys(url, prefix string) {
	opts, err := goredis.ParseURL(url)
	if err != nil {
		return
	}
	c := goredis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var keys []string
	it := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for it.Next(ctx) {
		keys = append(keys, it.Val())
	}
	for k := range slices.Chunk(keys, 500) {
		c.Del(ctx, k...)
	}
}
