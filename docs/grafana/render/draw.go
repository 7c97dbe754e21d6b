package main

import (
	"encoding/json"
	"fmt"
	"html"
	"math"
	"os"
	"sort"
	"strings"
	"time"
)

// dashboard is the part of a Grafana dashboard the picture needs.
type dashboard struct {
	Title  string  `json:"title"`
	Panels []panel `json:"panels"`
}

type panel struct {
	Title   string `json:"title"`
	GridPos struct {
		X, Y, W, H int
	} `json:"gridPos"`
	FieldConfig struct {
		Defaults struct {
			Unit   string `json:"unit"`
			Custom struct {
				Stacking struct {
					Mode string `json:"mode"`
				} `json:"stacking"`
			} `json:"custom"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
	Targets []struct {
		Expr         string `json:"expr"`
		LegendFormat string `json:"legendFormat"`
	} `json:"targets"`
}

func readDashboard(path string) (*dashboard, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	d := new(dashboard)
	if err := json.Unmarshal(raw, d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

type filledPanel struct {
	panel
	series []*series
}

// Grafana's dark theme, roughly, and its classic palette.
var palette = []string{"#73bf69", "#f2cc0c", "#5794f2", "#ff780a", "#f2495c", "#b877d9", "#8ab8ff", "#ffb357", "#96d98d", "#ff7383"}

const (
	colW   = 56 // pixels per grid column (24 columns)
	rowH   = 34 // pixels per grid row
	margin = 8
	header = 70
)

// drawDashboard lays the panels out on Grafana's 24-column grid.
func drawDashboard(title string, panels []filledPanel, start, end time.Time, users int, dur time.Duration) string {
	maxY := 0
	for _, p := range panels {
		maxY = max(maxY, p.GridPos.Y+p.GridPos.H)
	}
	w, h := 24*colW+2*margin, header+maxY*rowH+margin
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Inter, Helvetica, Arial, sans-serif">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#111217"/>`+"\n", w, h)
	fmt.Fprintf(&b, `<text x="%d" y="26" fill="#ccccdc" font-size="18" font-weight="600">%s</text>`+"\n", margin+4, html.EscapeString(title))
	fmt.Fprintf(&b, `<text x="%d" y="44" fill="#8e8e9e" font-size="12">Drawn by docs/grafana/render, not Grafana: the panels of docs/grafana/herald-dashboard.json, their queries evaluated by Prometheus over 1 s scrapes of the demo shop bot</text>`+"\n", margin+4)
	fmt.Fprintf(&b, `<text x="%d" y="58" fill="#8e8e9e" font-size="12">(webhook mode, emulator with Telegram's limits): %d users writing for %v, a broadcast to all of them, a scanner knocking at the webhook. %s UTC.</text>`+"\n",
		margin+4, users, dur, start.UTC().Format("2006-01-02 15:04"))
	for _, p := range panels {
		x := margin + p.GridPos.X*colW
		y := header + p.GridPos.Y*rowH
		drawPanel(&b, p, x, y, p.GridPos.W*colW-margin, p.GridPos.H*rowH-margin, start, end)
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func drawPanel(b *strings.Builder, p filledPanel, x, y, w, h int, start, end time.Time) {
	fmt.Fprintf(b, `<g transform="translate(%d,%d)">`+"\n", x, y)
	fmt.Fprintf(b, `<rect width="%d" height="%d" rx="3" fill="#181b1f" stroke="#2c3235"/>`+"\n", w, h)
	fmt.Fprintf(b, `<text x="10" y="20" fill="#ccccdc" font-size="13" font-weight="500">%s</text>`+"\n", html.EscapeString(p.Title))

	series := p.series
	sort.SliceStable(series, func(i, j int) bool { return series[i].name < series[j].name })
	stacked := p.FieldConfig.Defaults.Custom.Stacking.Mode == "normal"
	// Values on a common 1 s grid, stacked if the panel stacks.
	n := int(end.Sub(start)/time.Second) + 1
	grid := make([][]float64, len(series))
	top := make([]float64, n)
	for i, s := range series {
		grid[i] = make([]float64, n)
		for k := range grid[i] {
			grid[i][k] = math.NaN()
		}
		for k, t := range s.t {
			if j := int(math.Round(t.Sub(start).Seconds())); j >= 0 && j < n {
				grid[i][j] = s.v[k]
			}
		}
		if stacked {
			for j := range grid[i] {
				if !math.IsNaN(grid[i][j]) {
					top[j] += grid[i][j]
					grid[i][j] = top[j]
				}
			}
		}
	}
	maxV := 0.0
	for _, g := range grid {
		for _, v := range g {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				maxV = max(maxV, v)
			}
		}
	}
	cols := 3 // legend columns
	for _, s := range series {
		if len(s.name) > 24 {
			cols = 2
		}
	}
	legendRows := min((len(series)+cols-1)/cols, 3)
	px, py := 58.0, 32.0
	pw, ph := float64(w)-px-12, float64(h)-py-22-float64(legendRows)*15
	step, ticks := niceTicks(maxV)
	yMax := step * float64(ticks)
	for i := 0; i <= ticks; i++ {
		v := step * float64(i)
		yy := py + ph - v/yMax*ph
		fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#2c3235"/>`+"\n", px, px+pw, yy, yy)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="#8e8e9e" font-size="10" text-anchor="end">%s</text>`+"\n", px-5, yy+3, formatUnit(v, p.FieldConfig.Defaults.Unit))
	}
	total := end.Sub(start)
	for s := 0 * time.Second; s <= total; s += 10 * time.Second {
		xx := px + s.Seconds()/total.Seconds()*pw
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="#8e8e9e" font-size="10" text-anchor="middle">%ds</text>`+"\n", xx, py+ph+13, int(s.Seconds()))
	}
	if len(series) == 0 {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="#8e8e9e" font-size="12" text-anchor="middle">No data</text>`+"\n", px+pw/2, py+ph/2)
	}
	for i := len(grid) - 1; i >= 0; i-- { // the first series on top, as Grafana stacks
		color := palette[i%len(palette)]
		var pts []string
		flush := func() {
			if len(pts) > 1 {
				fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`+"\n", color, strings.Join(pts, " "))
			}
			pts = pts[:0]
		}
		for j, v := range grid[i] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				flush()
				continue
			}
			xx := px + float64(j)/float64(n-1)*pw
			yy := py + ph - v/yMax*ph
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", xx, yy))
		}
		flush()
	}
	// The legend: up to three columns, three rows.
	colWidth := pw / float64(cols)
	for i, s := range series {
		if i >= 3*cols {
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="#8e8e9e" font-size="10">… %d more</text>`+"\n", float64(w)-70, float64(h)-6, len(series)-3*cols)
			break
		}
		lx := px + float64(i%cols)*colWidth
		ly := py + ph + 28 + float64(i/cols)*15
		name := s.name
		if limit := int(colWidth/6) - 2; len(name) > limit {
			name = name[:limit-1] + "…"
		}
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="10" height="3" fill="%s"/>`, lx, ly-4, palette[i%len(palette)])
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="#ccccdc" font-size="10">%s</text>`+"\n", lx+14, ly, html.EscapeString(name))
	}
	b.WriteString("</g>\n")
}

// niceTicks returns a step of 1, 2 or 5 × 10^k and a tick count (≤ 5)
// that cover max.
func niceTicks(maxV float64) (float64, int) {
	if maxV <= 0 || math.IsNaN(maxV) {
		return 1, 1
	}
	raw := maxV / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if step := m * mag; step >= raw {
			return step, int(math.Ceil(maxV/step - 1e-9))
		}
	}
	return 10 * mag, 4
}

// formatUnit writes v in the panel's unit, as Grafana would, roughly.
func formatUnit(v float64, unit string) string {
	num := func(x float64) string {
		s := fmt.Sprintf("%.3g", x)
		if strings.Contains(s, "e") {
			s = fmt.Sprintf("%.0f", x)
		}
		return s
	}
	switch unit {
	case "s":
		switch {
		case v == 0:
			return "0"
		case v < 1e-3:
			return num(v*1e6) + " µs"
		case v < 1:
			return num(v*1e3) + " ms"
		}
		return num(v) + " s"
	case "bytes":
		switch {
		case v >= 1<<30:
			return num(v/(1<<30)) + " GiB"
		case v >= 1<<20:
			return num(v/(1<<20)) + " MiB"
		case v >= 1<<10:
			return num(v/(1<<10)) + " KiB"
		}
		return num(v) + " B"
	case "reqps":
		return num(v) + "/s"
	}
	if v >= 1000 {
		return num(v/1000) + "K"
	}
	return num(v)
}
