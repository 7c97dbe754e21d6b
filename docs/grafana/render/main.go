// Command render draws docs/grafana/dashboard.svg: the panels of the
// Grafana dashboard herald-dashboard.json, filled by the demo's shop bot
// under load. There is no Grafana here; the picture is drawn by this
// program, from the dashboard's own queries evaluated by a real
// Prometheus (the Debian package's binary, run as a child process with a
// 1 s scrape interval) over the real scrapes of the bot's /metrics.
//
// It runs, in this process, what "herald demo --webhook" runs — the
// emulator with Telegram's rate limits and the shop bot (SQLite engine
// with its journal, webhook delivery) wired with metrics — then plays a
// load on it for the given duration: many customers writing commands,
// a broadcast to all of them (a few have blocked the bot), and a scanner
// posting to the webhook without its secret. Then it asks Prometheus for
// every panel's queries over the run and draws them.
//
//	go run ./docs/grafana/render -prometheus /usr/bin/prometheus -out docs/grafana/dashboard.svg
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/broadcast"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/examples/shop/shopbot"
	"github.com/heraldbot/herald/metrics"
	"github.com/heraldbot/herald/tg"
)

const token = "100001:herald-dashboard"

func main() {
	var (
		promBin   = flag.String("prometheus", "prometheus", "the Prometheus server binary")
		dashboard = flag.String("dashboard", "docs/grafana/herald-dashboard.json", "the Grafana dashboard")
		out       = flag.String("out", "docs/grafana/dashboard.svg", "the SVG to write")
		duration  = flag.Duration("duration", 40*time.Second, "how long the load runs")
		users     = flag.Int("users", 120, "customers writing to the bot")
	)
	flag.Parse()
	ctx := context.Background()
	dash, err := readDashboard(*dashboard)
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "herald-dashboard-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	d, err := startDemo(ctx, dir)
	if err != nil {
		log.Fatal(err)
	}
	defer d.stop()
	prom, err := startPrometheus(ctx, *promBin, dir, d.metricsAddr)
	if err != nil {
		log.Fatal(err)
	}
	defer prom.stop()

	log.Printf("load: %d users for %v", *users, *duration)
	start := time.Now()
	d.load(ctx, *users, *duration)
	time.Sleep(3 * time.Second) // the last scrapes
	end := time.Now()

	var panels []filledPanel
	for _, p := range dash.Panels {
		fp := filledPanel{panel: p}
		for _, t := range p.Targets {
			series, err := prom.queryRange(ctx, expand(t.Expr), start, end)
			if err != nil {
				log.Fatalf("panel %q: %s: %v", p.Title, t.Expr, err)
			}
			for _, s := range series {
				s.name = legend(t.LegendFormat, s.labels)
				fp.series = append(fp.series, s)
			}
		}
		panels = append(panels, fp)
	}
	svg := drawDashboard(dash.Title, panels, start, end, *users, *duration)
	if err := os.WriteFile(*out, []byte(svg), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s (%d panels)", *out, len(panels))
}

// expand replaces the dashboard's variables: every job and instance, and
// Grafana's $__rate_interval for a 1 s scrape interval (4 scrapes).
func expand(expr string) string {
	return strings.NewReplacer("$job", ".*", "$instance", ".*", "$__rate_interval", "4s").Replace(expr)
}

// legend fills a Grafana legend format ("{{method}} {{outcome}}").
func legend(format string, labels map[string]string) string {
	if format == "" {
		return fmt.Sprint(labels)
	}
	for k, v := range labels {
		format = strings.ReplaceAll(format, "{{"+k+"}}", v)
	}
	return format
}

// demo is the emulator and the shop bot.
type demo struct {
	emu         *emulator.Emulator
	bot         *herald.Bot
	met         *metrics.Metrics
	hookURL     string
	metricsAddr string
	stop        func()
}

func startDemo(ctx context.Context, dir string) (*demo, error) {
	quiet := slog.New(slog.DiscardHandler)
	path := filepath.Join(dir, "shop.db")
	engine, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return nil, err
	}
	db, err := service.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	if err := metrics.RegisterProcess(reg); err != nil {
		return nil, err
	}
	met, err := metrics.New(reg)
	if err != nil {
		return nil, err
	}
	emu := emulator.New(emulator.Options{Logger: quiet}) // Telegram's limits
	emuLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/", emu.Handler())
	mux.Handle("GET /metrics", metrics.Handler(reg))
	emuCtx, stopEmu := context.WithCancel(ctx)
	started := false
	defer func() {
		if !started {
			stopEmu()
		}
	}()
	go func() { _ = emu.ServeHandler(emuCtx, emuLn, mux) }()
	base := "http://" + emuLn.Addr().String()
	if _, err := emu.AddBot(token); err != nil {
		return nil, err
	}
	hookLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hookURL := "http://" + hookLn.Addr().String() + "/webhook"
	bot, shop, err := shopbot.NewBot(token, shopbot.Config{DB: db, Admins: []int64{1}, Logger: quiet, BroadcastResume: -1},
		herald.WithBackend(engine), herald.WithClientOptions(tg.WithBaseURL(base)),
		herald.WithWebhook(herald.WebhookConfig{URL: hookURL, Listener: hookLn, Path: "/webhook"}),
		met.Option(nil))
	if err != nil {
		return nil, err
	}
	runCtx, stopBot := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- bot.Run(runCtx) }()
	started = true
	return &demo{emu: emu, bot: bot, met: met, hookURL: hookURL, metricsAddr: emuLn.Addr().String(), stop: func() {
		stopBot()
		if err := <-done; err != nil {
			log.Printf("bot: %v", err)
		}
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = shop.Close(cctx)
		stopEmu()
		db.Close()
		engine.Close()
	}}, nil
}

// load plays customers writing for d: users 1..n, each sending a command
// every 4 to 10 s (120 users: about 17 updates/s, most answered by one
// message, within the limiter's 25 messages/s); after a fifth of the time a broadcast to all of them
// (one in twenty has blocked the bot); a scanner knocking at the webhook
// without the secret a few times a second in the middle third.
func (d *demo) load(ctx context.Context, n int, dur time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	texts := []string{"/start", "/catalog", "/cart", "/orders", "/help", "hello"}
	var wg sync.WaitGroup
	chats := make([]int64, 0, n)
	for id := int64(1); id <= int64(n); id++ {
		chats = append(chats, id)
		wg.Go(func() {
			user := tg.User{ID: id, FirstName: "User" + strconv.FormatInt(id, 10)}
			// Users arrive over the first quarter.
			wait := time.Duration(rand.Int64N(int64(dur / 4)))
			for {
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
				_, _ = d.emu.SendMessage(ctx, emulator.UserMessage{Token: token, From: user, Text: texts[rand.IntN(len(texts))]})
				wait = 4*time.Second + time.Duration(rand.Int64N(int64(6*time.Second)))
			}
		})
	}
	wg.Go(func() { // the broadcast
		select {
		case <-ctx.Done():
			return
		case <-time.After(dur / 5):
		}
		for _, id := range chats {
			if id%20 == 0 {
				_ = d.emu.BlockBot(id, token)
			}
		}
		store := d.bot.Broadcasts()
		c, err := store.Create(ctx, broadcast.Campaign{Name: "spring", Message: broadcast.Message{Text: "Spring sale: 20 % off everything!"}}, chats, time.Now())
		if err != nil {
			log.Printf("broadcast: %v", err)
			return
		}
		p, err := d.met.RunBroadcast(ctx, d.bot.Client(), store, c.ID, broadcast.Options{Logger: slog.New(slog.DiscardHandler)})
		log.Printf("broadcast: %d sent, %d blocked, %d failed, %d remaining (%v)", p.Sent, p.Blocked, p.Failed, p.Remaining(), err)
	})
	wg.Go(func() { // the scanner
		select {
		case <-ctx.Done():
			return
		case <-time.After(dur / 3):
		}
		until := time.Now().Add(dur / 3)
		for i := 0; ctx.Err() == nil && time.Now().Before(until); i++ {
			// Without the secret token (401); now and then a GET (405).
			method := http.MethodPost
			if i%4 == 3 {
				method = http.MethodGet
			}
			req, _ := http.NewRequestWithContext(ctx, method, d.hookURL, strings.NewReader(`{"update_id":1}`))
			req.Header.Set("Content-Type", "application/json")
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
			select {
			case <-ctx.Done():
			case <-time.After(300 * time.Millisecond):
			}
		}
	})
	wg.Wait()
}

// promServer is the Prometheus child process.
type promServer struct {
	base string
	cmd  *exec.Cmd
}

func startPrometheus(ctx context.Context, bin, dir, target string) (*promServer, error) {
	cfg := fmt.Sprintf("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: herald-demo\n    static_configs:\n      - targets: [%q]\n", target)
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.CommandContext(ctx, bin, "--config.file="+cfgPath, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("prometheus: %w", err)
	}
	p := &promServer{base: "http://" + addr, cmd: cmd}
	for i := 0; ; i++ {
		resp, err := http.Get(p.base + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		if i == 100 {
			p.stop()
			return nil, fmt.Errorf("prometheus at %s not ready after 10 s", addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p *promServer) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	_ = p.cmd.Wait()
}

// series is one line of a panel.
type series struct {
	name   string
	labels map[string]string
	t      []time.Time
	v      []float64
}

// queryRange evaluates expr over [start, end] at 1 s steps.
func (p *promServer) queryRange(ctx context.Context, expr string, start, end time.Time) ([]*series, error) {
	q := url.Values{"query": {expr}, "start": {unix(start)}, "end": {unix(end)}, "step": {"1"}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/api/v1/query_range?"+q.Encode(), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Values [][2]any          `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", resp.Status, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("prometheus: %s", r.Error)
	}
	var out []*series
	for _, res := range r.Data.Result {
		s := &series{labels: res.Metric}
		for _, tv := range res.Values {
			ts, _ := tv[0].(float64)
			str, _ := tv[1].(string)
			v, err := strconv.ParseFloat(str, 64)
			if err != nil {
				continue
			}
			s.t = append(s.t, time.Unix(0, int64(ts*1e9)))
			s.v = append(s.v, v)
		}
		out = append(out, s)
	}
	return out, nil
}

func unix(t time.Time) string { return strconv.FormatFloat(float64(t.UnixNano())/1e9, 'f', 3, 64) }
