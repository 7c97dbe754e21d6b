package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// sample is a small set of results: Herald and two peers in one group,
// a skipped peer and a failed one in another.
func sample() []result {
	mk := func(bot, mode string, rate, cpu float64) result {
		return result{Bot: bot, Framework: bot + " 1.0", Mode: mode, Work: "0s", Messages: 100, Answered: 100,
			Rate: rate, CPUus: cpu, PeakRSS: 20 << 20, P50: 3 * time.Millisecond, P99: 9 * time.Millisecond}
	}
	failed := mk("telego", modeWebhook, 10, 500)
	failed.Error = "timed out <after> 1m & more\nsecond line"
	return []result{
		mk(herald, modePolling, 5000, 100),
		mk("telego", modePolling, 2500, 210),
		mk("grammy-runner", modePolling, 1000, 400),
		mk(herald, modeWebhook, 6000, 90),
		failed,
		{Bot: "grammy-runner", Framework: "grammY runner", Mode: modeWebhook, Work: "0s", Skipped: "polling only"},
	}
}

func TestSVGIsWellFormed(t *testing.T) {
	var b bytes.Buffer
	info := runInfo{Users: 20, Messages: 5, Repeat: 1, Cores: 2, GoVersion: "go1.26", NodeVersion: "v20 <&>"}
	if err := writeSVG(&b, info, sample()); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	var texts []string
	var rects int
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, b.String())
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local == "rect" {
				rects++
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(tok)); s != "" {
				texts = append(texts, s)
			}
		}
	}
	all := strings.Join(texts, "|")
	for _, want := range []string{"polling, handler work 0s", "webhook, handler work 0s", "5000", "100.0", "2500", "210.0",
		"n/a", "10 (failed)", "node v20 <&>", "CPU µs per update (lower is better)", "updates/s (higher is better)"} {
		if !strings.Contains(all, want) {
			t.Errorf("the chart has no text %q; its texts: %s", want, all)
		}
	}
	if want := 1 + 2*5; rects != want { // the background, and 2 metrics × 5 measured runs
		t.Errorf("%d rects, want %d", rects, want)
	}
}
