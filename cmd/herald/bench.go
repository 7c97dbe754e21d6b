package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/metrics"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// benchConfig is one run of herald bench.
type benchConfig struct {
	Users, Messages int           // each user sends Messages messages, in order
	Work            time.Duration // what each handler spends before replying
	Timeout         time.Duration // bound on each measured run
	Baseline        bool          // also run the hand-written baseline bot
	Webhook         bool          // Herald receives by webhook instead of long polling
	Runs            string        // the bots to measure (see parseRuns); "" follows Webhook and Baseline
	RedisURL        string        // the Redis of +redis runs
	Progress        io.Writer     // a line per second while a run lasts
}

func (c benchConfig) check() error {
	switch {
	case c.Users < 1 || c.Users > 100_000:
		return errors.New("--users must be between 1 and 100,000")
	case c.Messages < 1 || c.Messages > 1_000:
		return errors.New("--messages must be between 1 and 1,000")
	case c.Users*c.Messages > 1_000_000:
		return errors.New("--users × --messages must be at most 1,000,000")
	case c.Work < 0 || c.Work > 10*time.Second:
		return errors.New("--work must be between 0 and 10s")
	case c.Timeout <= 0 || c.Timeout > 30*time.Minute:
		return errors.New("--timeout must be between 1ns and 30m")
	}
	return nil
}

// benchResult is what one bot did with the traffic.
type benchResult struct {
	Name          string
	Answered      int
	Elapsed       time.Duration
	P50, P95, P99 time.Duration // from a user's message to the bot's reply
	Unordered     int           // replies that overtook an earlier message of the same chat
	CPU           time.Duration // the process's CPU while the traffic ran (emulator included)
}

// cpuPerUpdate is the process's CPU per answered update.
func (r benchResult) cpuPerUpdate() time.Duration {
	if r.Answered == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Answered)
}

func (r benchResult) rate() float64 { return float64(r.Answered) / r.Elapsed.Seconds() }

func newBenchCmd() *cobra.Command {
	cfg := benchConfig{Baseline: true}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure Herald end to end against the emulator: updates answered per second and reply latency",
		Long: `herald bench starts the emulator (limits off) on a loopback port and a bot
built with Herald that answers every message after --work of simulated
handler time. Simulated users (--users, each sending --messages messages in
order) write to it as fast as they can; the bench reports the updates
answered per second, the latency from a user's message to the reply
(p50/p95/p99) and whether any chat's replies came out of order.

With --baseline (the default) the same traffic then goes to a bot written
by hand on the same client (one getUpdates loop answering each update in
turn, as small bots do), measured in the same run, and the ratio of the two
is printed. --webhook makes Herald receive by webhook (up to 100
deliveries at once) instead of long polling, where at most one getUpdates
batch (100 updates) can be in flight past the oldest unfinished update.

--runs names the bots to measure in one run, compared with the first:
"baseline", or Herald as polling or webhook, optionally with an update
journal: polling+sqlite, webhook+redis, polling+memory, … (for example
--runs polling,polling+sqlite,polling+redis,webhook). CPU per update is
the whole process's (emulator included), so differences between runs
are what a choice costs; a Redis server's own CPU is not counted.
Nothing leaves 127.0.0.1.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg.Progress = cmd.ErrOrStderr()
			return runBench(cmd.Context(), cfg, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.IntVar(&cfg.Users, "users", 200, "simulated users (one private chat each)")
	f.IntVar(&cfg.Messages, "messages", 20, "messages each user sends")
	f.DurationVar(&cfg.Work, "work", 2*time.Millisecond, "time each handler spends before it replies (simulated I/O)")
	f.DurationVar(&cfg.Timeout, "timeout", 5*time.Minute, "bound on each measured run")
	f.BoolVar(&cfg.Baseline, "baseline", true, "also measure the hand-written baseline bot")
	f.BoolVar(&cfg.Webhook, "webhook", false, "Herald receives updates by webhook (the baseline always polls)")
	f.StringVar(&cfg.Runs, "runs", "", "comma-separated bots to measure: baseline, polling, webhook, each of the last two optionally +memory, +sqlite or +redis, and +metrics (metrics on) or +observed (metrics, and traces made without an exporter) (default: from --webhook and --baseline)")
	f.StringVar(&cfg.RedisURL, "redis", "redis://127.0.0.1:6379/0", "Redis of the +redis runs (keys under a random prefix, removed after)")
	return cmd
}

// runBench measures Herald and, if asked, the baseline, and prints a table.
func runBench(ctx context.Context, cfg benchConfig, out io.Writer) error {
	if err := cfg.check(); err != nil {
		return err
	}
	list := cfg.Runs
	if list == "" {
		list = defaultRuns(cfg)
	}
	runs, err := parseRuns(list)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "herald bench: %d users × %d messages, handler work %v, runs %s, a fresh emulator on 127.0.0.1 for each (limits off)\n",
		cfg.Users, cfg.Messages, cfg.Work, list)
	var results []benchResult
	for i, r := range runs {
		res, err := benchRunOn(ctx, cfg, r, fmt.Sprintf("%d:bench-%d", 700_001+i, i))
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		results = append(results, res)
	}
	printBench(out, results)
	return nil
}

// benchRunOn measures run r on an emulator of its own: one shared by the
// runs kept every chat of the runs before, and each run was slower than
// the one before it (polling: 164, 184, 207 µs of CPU per update for
// three identical runs).
func benchRunOn(ctx context.Context, cfg benchConfig, r benchRun, token string) (benchResult, error) {
	quiet := slog.New(slog.DiscardHandler)
	off := emulator.NoLimits()
	emu := emulator.New(emulator.Options{Limits: &off, Logger: quiet, MaxPendingUpdates: cfg.Users*cfg.Messages + 100})
	defer emu.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return benchResult{}, err
	}
	srv := &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	serve := serveBaseline
	if r.name != "baseline" {
		j, done, err := openBenchJournal(ctx, r.journal, cfg.RedisURL)
		if err != nil {
			return benchResult{}, err
		}
		defer done()
		serve = serveHerald(r.webhook, j, r.observe)
	}
	return benchOne(ctx, emu, base, token, r.name, cfg, serve)
}

// benchServer runs a bot on the emulator at base until ctx ends, telling t
// of every answer.
type benchServer func(ctx context.Context, base, token string, cfg benchConfig, t *benchTracker) error

// benchOne sends the traffic to the bot that serve runs and waits until
// every message is answered.
func benchOne(ctx context.Context, emu *emulator.Emulator, base, token, name string, cfg benchConfig,
	serve benchServer) (benchResult, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	t := newBenchTracker(cfg.Users, cfg.Messages)
	botCtx, stopBot := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- serve(botCtx, base, token, cfg, t) }()
	defer func() { stopBot(); <-served }()
	// wait waits for ch, or fails when the bot stopped or time ran out.
	wait := func(ch <-chan struct{}, what string) error {
		select {
		case <-ch:
			return nil
		case err := <-served:
			served <- err // for the deferred wait
			return fmt.Errorf("the bot stopped before %s: %v", what, err)
		case <-ctx.Done():
			return fmt.Errorf("timed out before %s: %w", what, ctx.Err())
		}
	}

	// One message first, so that the bot's start-up (getMe, setWebhook)
	// is not counted.
	if _, err := emu.SendMessage(ctx, emulator.UserMessage{Token: token,
		From: tg.User{ID: benchFirstUser - 1, FirstName: "Warm-up"}, Text: benchWarmUp}); err != nil {
		return benchResult{}, err
	}
	if err := wait(t.warm, "it answered its first message"); err != nil {
		return benchResult{}, err
	}

	t.loadStart.Store(int64(time.Since(t.start)))
	cpu0 := cpuTime()
	stopProgress := t.progress(cfg.Progress, name)
	defer stopProgress()
	load, err := emu.RunLoad(ctx, emulator.Load{
		Token: token, Users: cfg.Users, MessagesPerUser: cfg.Messages,
		FirstUserID: benchFirstUser, Text: t.text, Concurrency: min(cfg.Users, 256),
	})
	if err != nil {
		return benchResult{}, err
	}
	if load.Failed > 0 {
		return benchResult{}, fmt.Errorf("%d of the users' messages failed: %s", load.Failed, load.FirstError)
	}
	if err := wait(t.done, "every message was answered"); err != nil {
		return benchResult{}, fmt.Errorf("%w (%d of %d answered)", err, t.answered.Load(), t.total)
	}
	res := t.result(name)
	res.CPU = cpuTime() - cpu0
	return res, nil
}

const (
	// benchFirstUser is the id of the first simulated user (and chat).
	benchFirstUser = 1_000_000
	// benchWarmUp is the message that checks the bot is up.
	benchWarmUp = "warm-up"
)

// benchTracker records when each message was sent and answered.
type benchTracker struct {
	messages, total int
	start           time.Time      // times below are ns since start
	loadStart       atomic.Int64   // when the traffic began
	sent            []atomic.Int64 // ns since start, by user*messages+i
	took            []atomic.Int64 // ns from send to answer; 0: not yet
	last            []atomic.Int64 // by user: the highest message index answered, plus one
	answered        atomic.Int64
	unordered       atomic.Int64
	finished        atomic.Int64 // the last answer
	done            chan struct{}
	warm            chan struct{} // closed when the warm-up message is answered
	warmOnce        sync.Once
}

func newBenchTracker(users, messages int) *benchTracker {
	n := users * messages
	return &benchTracker{messages: messages, total: n, start: time.Now(), sent: make([]atomic.Int64, n),
		took: make([]atomic.Int64, n), last: make([]atomic.Int64, users),
		done: make(chan struct{}), warm: make(chan struct{})}
}

// text is the Load's text function: it stamps the send time.
func (t *benchTracker) text(u, i int) string {
	t.sent[u*t.messages+i].Store(int64(time.Since(t.start)))
	return "bench " + strconv.Itoa(i)
}

// answer records the reply to text in chat; re-deliveries count once.
func (t *benchTracker) answer(chatID int64, text string) {
	if text == benchWarmUp {
		t.warmOnce.Do(func() { close(t.warm) })
		return
	}
	u := int(chatID - benchFirstUser)
	i, err := strconv.Atoi(strings.TrimPrefix(text, "bench "))
	if u < 0 || u >= len(t.last) || err != nil || i < 0 || i >= t.messages {
		return // not the bench's traffic
	}
	now := int64(time.Since(t.start))
	k := u*t.messages + i
	if !t.took[k].CompareAndSwap(0, max(1, now-t.sent[k].Load())) {
		return
	}
	if prev := t.last[u].Swap(int64(i + 1)); prev > int64(i) {
		t.unordered.Add(1)
	}
	t.finished.Store(now)
	if t.answered.Add(1) == int64(t.total) {
		close(t.done)
	}
}

// progress prints the answers so far once a second until stopped.
func (t *benchTracker) progress(w io.Writer, name string) (stop func()) {
	if w == nil {
		return func() {}
	}
	quit, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
				n := t.answered.Load()
				fmt.Fprintf(w, "  %s: %d/%d answered (%.0f%%), %.0f/s\n", name, n, t.total,
					100*float64(n)/float64(t.total), float64(n)/(time.Since(t.start)-time.Duration(t.loadStart.Load())).Seconds())
			}
		}
	}()
	return func() { close(quit); <-exited }
}

func (t *benchTracker) result(name string) benchResult {
	took := make([]time.Duration, t.total)
	for i := range t.took {
		took[i] = time.Duration(t.took[i].Load())
	}
	slices.Sort(took)
	pct := func(p float64) time.Duration { return took[min(len(took)-1, int(p*float64(len(took))))] }
	return benchResult{Name: name, Answered: int(t.answered.Load()), Elapsed: time.Duration(t.finished.Load() - t.loadStart.Load()),
		P50: pct(0.50), P95: pct(0.95), P99: pct(0.99), Unordered: int(t.unordered.Load())}
}

// serveHerald returns the server of a Herald bot that answers every
// message after cfg.Work, receiving by webhook or long polling, with
// journal j when not nil. With metrics it has metrics.Option on a
// registry of its own; observed, also a tracer provider without an
// exporter: every span is made, then dropped.
func serveHerald(webhook bool, j backend.Journal, obs observe) benchServer {
	return func(ctx context.Context, base, token string, cfg benchConfig, t *benchTracker) error {
		receive := herald.WithPolling(source.PollerConfig{Timeout: time.Second})
		if webhook {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			receive = herald.WithWebhook(herald.WebhookConfig{
				URL: "http://" + ln.Addr().String() + "/hook", Listener: ln, Path: "/hook", MaxConnections: 100,
			})
		}
		opts := []herald.Option{receive,
			herald.WithClientOptions(tg.WithBaseURL(base)),
			herald.WithoutLimiter(), // the emulator's limits are off: measure the framework, as the baseline does
			herald.WithLogger(slog.New(slog.DiscardHandler))}
		if j != nil {
			opts = append(opts, herald.WithJournal(j, herald.JournalConfig{}))
		}
		if obs >= observeMetrics {
			opts = append(opts, metrics.Option(prometheus.NewRegistry(), nil))
		}
		if obs == observeEverything {
			opts = append(opts, herald.WithTracerProvider(sdktrace.NewTracerProvider()))
		}
		bot, err := herald.New(token, opts...)
		if err != nil {
			return err
		}
		bot.Router().Message(func(c *herald.Context) error {
			if err := pause(c, cfg.Work); err != nil {
				return err
			}
			if _, err := c.Reply("ok"); err != nil {
				return err
			}
			t.answer(c.Chat().ID, c.Text())
			return nil
		})
		if err := bot.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		return nil
	}
}

// serveBaseline is the bot a newcomer writes by hand on tg.Client: one
// loop that fetches updates and answers each in turn.
func serveBaseline(ctx context.Context, base, token string, cfg benchConfig, t *benchTracker) error {
	client, err := tg.New(token, tg.WithBaseURL(base))
	if err != nil {
		return err
	}
	var offset int64
	for ctx.Err() == nil {
		updates, err := client.GetUpdates(ctx, tg.GetUpdatesParams{Offset: offset, Limit: 100, Timeout: 1})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		for _, u := range updates {
			offset = u.UpdateID + 1
			if u.Message == nil {
				continue
			}
			if err := pause(ctx, cfg.Work); err != nil {
				return nil
			}
			if _, err := client.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(u.Message.Chat.ID), Text: "ok"}); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			t.answer(u.Message.Chat.ID, u.Message.Text)
		}
	}
	return nil
}

// pause waits d, or until ctx is done.
func pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	select {
	case <-time.After(d): // collected when it fires or is dropped (Go 1.23+)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// printBench writes the results and each one's ratios to the first.
func printBench(w io.Writer, rs []benchResult) {
	fmt.Fprintf(w, "\n%-16s %9s %10s %11s %9s %9s %9s %10s %11s\n", "run", "answered", "elapsed", "updates/s", "p50", "p95", "p99", "unordered", "cpu/update")
	for _, r := range rs {
		fmt.Fprintf(w, "%-16s %9d %10s %11.0f %9s %9s %9s %10d %11s\n", r.Name, r.Answered, r.Elapsed.Round(time.Millisecond),
			r.rate(), r.P50.Round(10*time.Microsecond), r.P95.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Unordered,
			r.cpuPerUpdate().Round(100*time.Nanosecond))
	}
	if len(rs) > 1 {
		fmt.Fprintln(w)
	}
	for _, r := range rs[min(1, len(rs)):] {
		fmt.Fprintf(w, "%s vs %s: %.2f× the updates/s, %.2f× the p99 latency, %+.1f µs CPU per update\n",
			rs[0].Name, r.Name, rs[0].rate()/r.rate(), float64(rs[0].P99)/float64(r.P99),
			float64(rs[0].cpuPerUpdate()-r.cpuPerUpdate())/1e3)
	}
}
