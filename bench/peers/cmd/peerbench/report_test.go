package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestReports(t *testing.T) {
	info := runInfo{Users: 20, Messages: 5, Repeat: 3, Cores: 2, GoVersion: "go1.26", Date: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
	var md, text bytes.Buffer
	// The runner is n/a in webhook mode at every work: one note says so.
	twice := append(sample(), result{Bot: "grammy-runner", Framework: "grammY runner", Mode: modeWebhook, Work: "2ms", Skipped: "polling only"})
	if err := writeMarkdown(&md, info, "bench/peers/run.sh --users 20", twice); err != nil {
		t.Fatal(err)
	}
	printText(&text, info, sample())
	if n := strings.Count(md.String(), "n/a — polling only"); n != 1 {
		t.Errorf("the n/a note is in the markdown %d times, want once", n)
	}
	for _, want := range []string{
		"| polling | 0s | telego 1.0 | 2500 | 0.50× | 210.0 | 2.10× | 20.0 | 3.00 | 9.00 | 0 | 0 | 0 |",
		"| polling | 0s | **herald 1.0** | 5000 | 1.00× |",
		"grammY runner, webhook: n/a — polling only.",
		"telego 1.0, webhook, work 0s: failed — timed out <after> 1m & more\n",
		"median of 3 runs", "2026-01-02",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	for _, want := range []string{"telego CPU/update = 2.10× Herald's, updates/s = 0.50× Herald's",
		"grammy-runner: n/a — polling only", "telego: FAILED — timed out <after> 1m & more"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
}

func TestMedian(t *testing.T) {
	runs := []result{{Rate: 30}, {Rate: 10}, {Rate: 20}}
	if got := median(runs); got.Rate != 20 {
		t.Errorf("median rate %v, want 20", got.Rate)
	}
	runs = append(runs, result{Rate: 99, Error: "lost some"}, result{Rate: 40})
	if got := median(runs); got.Rate != 20 || got.Error != "" { // the failed run counts as the slowest
		t.Errorf("median with a failure: %+v", got)
	}
}
