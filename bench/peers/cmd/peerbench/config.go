package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

const (
	modePolling = "polling"
	modeWebhook = "webhook"
)

// config is one run of peerbench.
type config struct {
	Bots            []botSpec
	Modes           []string
	Works           []time.Duration
	Users, Messages int
	Repeat          int
	Timeout         time.Duration // bound on each measured run (start-up and traffic)
	MD, SVG, JSON   string        // files to write; "" writes none
	Dir             string        // the bench/peers module; "" finds it from the working directory
	Verbose         bool          // log the bots' own output
}

// parseFlags reads the command line.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	var bots, modes, works string
	fs := flag.NewFlagSet("peerbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "peerbench measures the same echo bot written in Herald and in peer frameworks, each\n"+
			"in its own process, long polling or by webhook against one in-process emulator (127.0.0.1 only).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&bots, "bots", strings.Join(botNames(), ","), "comma-separated bots to measure")
	fs.StringVar(&modes, "modes", modePolling+","+modeWebhook, "comma-separated modes: polling, webhook")
	fs.StringVar(&works, "work", "0s,2ms", "comma-separated handler work (time each handler waits before it replies)")
	fs.IntVar(&c.Users, "users", 100, "simulated users (one private chat each)")
	fs.IntVar(&c.Messages, "messages", 50, "messages each user sends, in order")
	fs.IntVar(&c.Repeat, "repeat", 1, "runs of each scenario; the median run (by updates/s) is reported")
	fs.DurationVar(&c.Timeout, "timeout", 3*time.Minute, "bound on each run")
	fs.StringVar(&c.MD, "md", "", "write the markdown table to this file")
	fs.StringVar(&c.SVG, "svg", "", "write the chart to this SVG file")
	fs.StringVar(&c.JSON, "json", "", "write every run's figures as JSON to this file")
	fs.StringVar(&c.Dir, "dir", "", "the bench/peers module directory (default: found from the working directory)")
	fs.BoolVar(&c.Verbose, "v", false, "log the bots' own output")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	var err error
	if c.Bots, err = selectBots(bots); err != nil {
		return c, fmt.Errorf("--bots: %w", err)
	}
	if c.Modes, err = parseModes(modes); err != nil {
		return c, fmt.Errorf("--modes: %w", err)
	}
	if c.Works, err = parseWorks(works); err != nil {
		return c, fmt.Errorf("--work: %w", err)
	}
	return c, c.check()
}

func (c config) check() error {
	switch {
	case c.Users < 1 || c.Users > 10_000:
		return errors.New("--users must be between 1 and 10,000")
	case c.Messages < 1 || c.Messages > 1_000:
		return errors.New("--messages must be between 1 and 1,000")
	case c.Users*c.Messages > 200_000:
		return errors.New("--users × --messages must be at most 200,000")
	case c.Repeat < 1 || c.Repeat > 20:
		return errors.New("--repeat must be between 1 and 20")
	case c.Timeout < time.Second || c.Timeout > 30*time.Minute:
		return errors.New("--timeout must be between 1s and 30m")
	}
	return nil
}

func parseModes(list string) ([]string, error) {
	var out []string
	for m := range strings.SplitSeq(list, ",") {
		switch m = strings.TrimSpace(m); m {
		case modePolling, modeWebhook:
			out = append(out, m)
		case "":
		default:
			return nil, fmt.Errorf("unknown mode %q", m)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no mode selected")
	}
	return out, nil
}

func parseWorks(list string) ([]time.Duration, error) {
	var out []time.Duration
	for w := range strings.SplitSeq(list, ",") {
		if w = strings.TrimSpace(w); w == "" {
			continue
		}
		d, err := time.ParseDuration(w)
		if err != nil || d < 0 || d > 10*time.Second {
			return nil, fmt.Errorf("%q: want a duration between 0s and 10s", w)
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, errors.New("no handler work given")
	}
	return out, nil
}
