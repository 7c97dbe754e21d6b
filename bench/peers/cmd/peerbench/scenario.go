package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/tg"
)

// scenario is one bot in one mode with one handler work.
type scenario struct {
	Bot  botSpec
	Mode string
	Work time.Duration
}

func (s scenario) String() string { return fmt.Sprintf("%s %s work=%v", s.Bot.Name, s.Mode, s.Work) }

// key groups the runs of one scenario.
func (s scenario) key() string { return s.Bot.Name + "/" + s.Mode + "/" + s.Work.String() }

// result is what one run of a scenario measured.
type result struct {
	Bot       string `json:"bot"`
	Framework string `json:"framework"`
	Mode      string `json:"mode"`
	Work      string `json:"work"`
	Messages  int    `json:"messages"` // users × messages each
	// Skipped says why the scenario was not run (n/a).
	Skipped string `json:"skipped,omitzero"`
	// Error says what went wrong in a run that did not finish.
	Error string `json:"error,omitzero"`

	Answered   int `json:"answered"`
	Lost       int `json:"lost"`       // never answered
	Unordered  int `json:"unordered"`  // replies after the reply to a later message of the chat
	Duplicates int `json:"duplicates"` // replies beyond the first to a message
	Stray      int `json:"stray"`      // bot messages that answer no message of the load

	Elapsed  time.Duration `json:"elapsed_ns"`     // first message sent to last first reply
	CPU      time.Duration `json:"cpu_ns"`         // the bot process's user+system CPU over the traffic
	PeakRSS  int64         `json:"peak_rss_bytes"` // VmHWM
	P50, P99 time.Duration `json:"-"`
	P50ms    float64       `json:"p50_ms"`
	P99ms    float64       `json:"p99_ms"`
	Rate     float64       `json:"updates_per_s"`
	CPUus    float64       `json:"cpu_us_per_update"`
	// Stop says how the bot ended: "exited" after SIGTERM, or "killed"
	// when it had not within 5 s.
	Stop string `json:"stop,omitzero"`
}

func (r result) ok() bool { return r.Skipped == "" && r.Error == "" }

// fill sets the derived figures.
func (r *result) fill(c counts) {
	r.Answered, r.Lost, r.Unordered, r.Duplicates, r.Stray = c.Answered, c.Lost, c.Unordered, c.Duplicates, c.Stray
	r.Elapsed, r.P50, r.P99 = c.Elapsed, c.P50, c.P99
	r.P50ms, r.P99ms = c.P50.Seconds()*1e3, c.P99.Seconds()*1e3
	if r.Elapsed > 0 {
		r.Rate = float64(r.Answered) / r.Elapsed.Seconds()
	}
	if r.Answered > 0 {
		r.CPUus = r.CPU.Seconds() * 1e6 / float64(r.Answered)
	}
}

const (
	stopGrace = 5 * time.Second        // from SIGTERM to SIGKILL
	settle    = 250 * time.Millisecond // after the last reply, for late duplicates
)

// runner runs scenarios.
type runner struct {
	cfg      config
	bins     *runners
	log      *slog.Logger
	progress io.Writer // a line per second while a run lasts
	count    int       // runs so far, for fresh bot ids
}

// run measures one run of sc. A run that fails is a result with Error
// set and the figures it has.
func (r *runner) run(ctx context.Context, sc scenario, label string) result {
	res := result{Bot: sc.Bot.Name, Framework: sc.Bot.Framework, Mode: sc.Mode, Work: sc.Work.String(),
		Messages: r.cfg.Users * r.cfg.Messages}
	if ok, why := sc.Bot.supports(sc.Mode); !ok {
		res.Skipped = why
		return res
	}
	if why := r.bins.skipped[sc.Bot.Name]; why != "" {
		res.Skipped = why
		return res
	}
	r.count++
	token := newToken(800_000 + r.count)
	t := newTracker(r.cfg.Users, r.cfg.Messages)
	err := r.measure(ctx, sc, token, label, t, &res)
	res.fill(t.counts())
	if err != nil {
		res.Error = err.Error()
		r.log.Warn("run failed", "scenario", sc.String(), "error", res.Error)
	}
	return res
}

// measure starts the emulator and the bot, warms the bot up, sends the
// load and records the bot's CPU and memory into res.
func (r *runner) measure(ctx context.Context, sc scenario, token, label string, t *tracker, res *result) error {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	emu, err := startEmulator(token, t.total()+100, t, r.log.With("scenario", sc.String()))
	if err != nil {
		return err
	}
	defer emu.close()
	env := map[string]string{"BOT_TOKEN": token, "API_URL": emu.base, "MODE": sc.Mode, "WORK": sc.Work.String()}
	if sc.Mode == modeWebhook {
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		env["WEBHOOK_LISTEN"], env["WEBHOOK_URL"] = addr, "http://"+addr+"/hook"
	}
	path, args, dir := r.bins.command(sc.Bot)
	out := newLineLog(r.log.With("bot", sc.Bot.Name), token)
	proc, err := startBot(path, args, dir, env, out)
	if err != nil {
		return fmt.Errorf("start %s: %w", sc.Bot.Name, err)
	}
	defer func() {
		emu.endPolls()
		res.Stop = "killed"
		if proc.stop(stopGrace) {
			res.Stop = "exited"
		}
	}()
	wait := func(ch <-chan struct{}, what string) error {
		select {
		case <-ch:
			return nil
		case <-proc.exited:
			return fmt.Errorf("before %s: %w", what, proc.exitError())
		case <-ctx.Done():
			return fmt.Errorf("timed out (--timeout %v) before %s; the bot's last output:\n%s", r.cfg.Timeout, what, out.tail())
		}
	}

	// Start-up (getMe, setWebhook, the first poll) is not measured: the
	// traffic starts once the bot has answered one message.
	warmUp := emulator.UserMessage{Token: token, From: tg.User{ID: firstUser - 1, FirstName: "Warm-up"}, Text: warmUpText}
	if _, err := emu.emu.SendMessage(ctx, warmUp); err != nil {
		return err
	}
	if err := wait(t.warm, "it answered the warm-up message"); err != nil {
		return err
	}

	emu.watch()
	cpu0, err := processCPU(proc.pid())
	if err != nil {
		return err
	}
	t.beginLoad()
	stopProgress := t.report(r.progress, label, func() string {
		if c, err := processCPU(proc.pid()); err == nil {
			return fmt.Sprintf(", bot CPU %v", (c - cpu0).Round(10*time.Millisecond))
		}
		return ""
	})
	defer stopProgress()
	load, err := emu.emu.RunLoad(ctx, emulator.Load{
		Token: token, Users: r.cfg.Users, MessagesPerUser: r.cfg.Messages, FirstUserID: firstUser,
		Text: t.text, Concurrency: min(r.cfg.Users, 256), MaxDuration: r.cfg.Timeout,
	})
	if err == nil && load.Failed > 0 {
		err = fmt.Errorf("%d of the users' messages failed: %s", load.Failed, load.FirstError)
	}
	if err == nil {
		err = wait(t.done, "every message was answered")
	}
	// The figures are read even when the run failed: they say how far it got.
	if cpu1, cerr := processCPU(proc.pid()); cerr == nil {
		res.CPU = cpu1 - cpu0
	}
	if rss, rerr := peakRSS(proc.pid()); rerr == nil {
		res.PeakRSS = rss
	}
	if err != nil {
		return err
	}
	stopProgress()
	pause(ctx, settle)
	return nil
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// newToken returns a token for bot id: every framework checks its shape,
// telego the strictest (35 characters after the colon).
func newToken(id int) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 35)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return strconv.Itoa(id) + ":" + string(b)
}
