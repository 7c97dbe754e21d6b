// Command peerbench measures the same echo bot written with Herald and
// with peer frameworks (telego, go-telegram/bot, telebot,
// telegram-bot-api, grammY with and without its runner), each bot in its
// own process, receiving by long polling or webhook from one in-process
// emulator on 127.0.0.1. For every bot, mode and handler work it reports
// updates/s, the bot process's CPU per update (from /proc, the traffic
// only), its peak RSS, the reply latency and the replies lost, out of
// order or duplicated. Run it with bench/peers/run.sh; see
// bench/peers/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"
)

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "peerbench:", err)
		os.Exit(2)
	}
	level := slog.LevelInfo
	if cfg.Verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	failed, err := run(ctx, cfg, log, os.Stdout, os.Stderr)
	if err != nil {
		log.Error("peerbench failed", "error", err)
		os.Exit(1)
	}
	if failed > 0 {
		log.Error("some runs failed", "runs", failed)
		os.Exit(1)
	}
}

// run prepares the bots, measures every scenario, prints the table to
// out and writes the files asked for. It returns the number of runs that
// failed.
func run(ctx context.Context, cfg config, log *slog.Logger, out, progress io.Writer) (failed int, err error) {
	dir, err := findModule(cfg.Dir)
	if err != nil {
		return 0, err
	}
	bins, cleanup, err := prepare(ctx, dir, cfg.Bots, log)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	info := runInfo{Users: cfg.Users, Messages: cfg.Messages, Repeat: cfg.Repeat, Cores: runtime.NumCPU(),
		GoVersion: runtime.Version(), NodeVersion: nodeVersion(ctx, bins.node), Date: time.Now().UTC()}
	r := &runner{cfg: cfg, bins: bins, log: log, progress: progress}
	medians, all := r.runAll(ctx)
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("interrupted: %w", err)
	}
	for _, res := range all {
		if res.Error != "" {
			failed++
		}
	}
	printText(out, info, medians)
	command := strings.Join(append([]string{"bench/peers/run.sh"}, withoutDir(os.Args[1:])...), " ")
	for _, f := range []struct {
		path  string
		write func(io.Writer) error
	}{
		{cfg.MD, func(w io.Writer) error { return writeMarkdown(w, info, command, medians) }},
		{cfg.SVG, func(w io.Writer) error { return writeSVG(w, info, medians) }},
		{cfg.JSON, func(w io.Writer) error { return writeJSON(w, info, medians, all) }},
	} {
		if f.path == "" {
			continue
		}
		if err := writeFile(f.path, f.write); err != nil {
			return failed, err
		}
		log.Info("written", "file", f.path)
	}
	return failed, nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// nodeVersion is node's --version, "" when node is not run.
func nodeVersion(ctx context.Context, node string) string {
	if node == "" {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(v))
}

// withoutDir is args less the --dir flag, which run.sh adds: the command
// a report shows is the one a person types.
func withoutDir(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--dir" || a == "-dir":
			i++ // and its value
		case strings.HasPrefix(a, "--dir=") || strings.HasPrefix(a, "-dir="):
		default:
			out = append(out, a)
		}
	}
	return out
}
