package metrics_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/broadcast"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/metrics"
	"github.com/heraldbot/herald/tg"
)

// dashboardFile is the Grafana dashboard of docs/grafana.
const dashboardFile = "../docs/grafana/herald-dashboard.json"

// dashboardExprs returns the PromQL expressions of the dashboard's panels
// and template variables.
func dashboardExprs(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Type       string `json:"type"`
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	var exprs []string
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	for _, v := range d.Templating.List {
		if v.Type == "query" {
			// label_values(metric{…}, label): the metric is an expression.
			q := strings.TrimSuffix(strings.TrimPrefix(v.Definition, "label_values("), ")")
			exprs = append(exprs, q[:strings.LastIndexByte(q, ',')])
		}
	}
	return exprs
}

// promqlNames returns the metric names of a PromQL expression and the
// labels it groups by ("by (…)"). It knows the subset the dashboard uses:
// functions, aggregations with by, selectors with matchers, ranges and
// numbers.
func promqlNames(expr string) (names, groupBy []string) {
	isIdent := func(c byte) bool {
		return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	skip := func(i int, open, close byte) int { // index after the bracket closing the one at i
		for depth := 0; i < len(expr); i++ {
			switch expr[i] {
			case '"':
				for i++; i < len(expr) && expr[i] != '"'; i++ {
					if expr[i] == '\\' {
						i++
					}
				}
			case open:
				depth++
			case close:
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return i
	}
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '{':
			i = skip(i, '{', '}')
		case c == '[':
			i = skip(i, '[', ']')
		case c >= '0' && c <= '9' || c == '.':
			for i < len(expr) && (isIdent(expr[i]) || expr[i] == '.') {
				i++
			}
		case isIdent(c):
			j := i
			for j < len(expr) && isIdent(expr[j]) {
				j++
			}
			word := expr[i:j]
			k := j
			for k < len(expr) && expr[k] == ' ' {
				k++
			}
			switch {
			case word == "by" || word == "without":
				end := skip(k, '(', ')')
				for _, l := range strings.Split(expr[k+1:end-1], ",") {
					groupBy = append(groupBy, strings.TrimSpace(l))
				}
				j = end
			case k < len(expr) && expr[k] == '(',
				strings.HasPrefix(expr[k:], "by ") || strings.HasPrefix(expr[k:], "by("),
				strings.HasPrefix(expr[k:], "without"):
				// a function or an aggregation
			default:
				names = append(names, word)
			}
			i = j
		default:
			i++
		}
	}
	return names, groupBy
}

func TestPromqlNames(t *testing.T) {
	names, by := promqlNames(`histogram_quantile(0.95, sum by (le, method) (rate(herald_api_call_seconds_bucket{job=~"$job",code!="2{00}"}[$__rate_interval]))) / on() go_goroutines`)
	if !slices.Equal(names, []string{"herald_api_call_seconds_bucket", "go_goroutines"}) || !slices.Equal(by, []string{"le", "method"}) {
		t.Fatalf("names %q, by %q", names, by)
	}
}

// TestDashboardMatchesExports: every metric the dashboard queries is one
// the process exports after a scripted conversation that moves all of
// them (webhook mode with a rejected request, a journal, a broadcast), and
// every label it groups by is one of that metric's. The dashboard cannot
// drift from the code.
func TestDashboardMatchesExports(t *testing.T) {
	reg := scriptedRun(t)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string][]string{} // exported series name → its labels
	for _, f := range families {
		var ls []string
		if len(f.GetMetric()) > 0 {
			for _, lp := range f.GetMetric()[0].GetLabel() {
				ls = append(ls, lp.GetName())
			}
		}
		labels[f.GetName()] = ls
		if f.GetType() == dto.MetricType_HISTOGRAM {
			labels[f.GetName()+"_bucket"] = append(slices.Clone(ls), "le")
			labels[f.GetName()+"_sum"] = ls
			labels[f.GetName()+"_count"] = ls
		}
	}
	checked := 0
	for _, expr := range dashboardExprs(t) {
		names, by := promqlNames(expr)
		if len(names) == 0 {
			t.Errorf("no metric in %q", expr)
		}
		var have []string
		for _, n := range names {
			ls, ok := labels[n]
			if !ok {
				t.Errorf("the dashboard queries %s, which is not exported (%q)", n, expr)
				continue
			}
			checked++
			have = append(have, ls...)
		}
		for _, l := range by {
			if !slices.Contains(have, l) && l != "job" && l != "instance" {
				t.Errorf("%q groups by %q, a label its metrics lack (%q)", expr, l, have)
			}
		}
	}
	t.Logf("%d metric references checked", checked)
}

// scriptedRun runs a bot wired with metrics (webhook mode, delivered by
// the emulator; an in-memory journal; the limiter) through a short
// conversation, one request without the webhook's secret and a
// broadcast, and returns its registry.
func scriptedRun(t *testing.T) *prometheus.Registry {
	t.Helper()
	srv := emutest.Start(t, emutest.NoLimits())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hook := "http://" + ln.Addr().String() + "/hook"
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	if err := metrics.RegisterProcess(reg); err != nil {
		t.Fatal(err)
	}
	const token = "7404:dashboard"
	bot, err := herald.New(token, m.Option(reg),
		herald.WithLogger(emutest.Quiet()), herald.WithErrorReply(""),
		herald.WithJournal(memory.NewJournal(2), herald.JournalConfig{}),
		herald.WithClientOptions(tg.WithBaseURL(srv.URL)),
		herald.WithWebhook(herald.WebhookConfig{URL: hook, Listener: ln, Path: "/hook", Logger: emutest.Quiet()}))
	if err != nil {
		t.Fatal(err)
	}
	bot.Router().Message(echo)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- bot.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	c := &emutest.Chat{T: t, Emu: srv.Emu, Token: token, User: tg.User{ID: 300, FirstName: "U"}}
	emutest.Until(t, 10*time.Second, "the webhook to be set", func() bool {
		info, err := bot.Client().GetWebhookInfo(t.Context())
		return err == nil && info.URL == hook
	})
	c.SendWait("hello", "echo: hello")
	resp, err := http.Post(hook, "application/json", strings.NewReader(`{"update_id":1}`)) // no secret: 401
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("POST without the secret = %d", resp.StatusCode)
	}
	store := memory.NewBroadcasts()
	camp, err := store.Create(t.Context(), broadcast.Campaign{Message: broadcast.Message{Text: "news"}}, []int64{300}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.RunBroadcast(t.Context(), bot.Client(), store, camp.ID, broadcast.Options{Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	return reg
}
