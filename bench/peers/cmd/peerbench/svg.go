package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// chart geometry, in SVG user units (pixels).
const (
	chartWidth = 1000
	margin     = 20
	labelWidth = 190 // bot names, left of each metric's bars
	valueWidth = 70  // room right of the longest bar for its value
	rowHeight  = 22
	barHeight  = 15
	headHeight = 62 // the chart's title and summary
	panelHead  = 48 // a panel's title and the metrics' names
	panelGap   = 18
)

// barColors are the bots' colors, in catalog order (Herald first).
var barColors = []string{"#1f6feb", "#8b949e", "#d29922", "#a371f7", "#3fb950", "#db6d28", "#bf4b8a"}

func botColor(name string) string {
	for i, b := range catalog {
		if b.Name == name {
			return barColors[i%len(barColors)]
		}
	}
	return "#6e7681"
}

// metric is one set of bars of a panel.
type metric struct {
	title  string
	value  func(result) float64
	format string
}

var chartMetrics = []metric{
	{"CPU µs per update (lower is better)", func(r result) float64 { return r.CPUus }, "%.1f"},
	{"updates/s (higher is better)", func(r result) float64 { return r.Rate }, "%.0f"},
}

// writeSVG draws one panel per mode and handler work, each with a bar
// per bot for every metric, the values printed at the bars' ends.
func writeSVG(w io.Writer, info runInfo, results []result) error {
	gs := groups(results)
	height := margin + headHeight
	for _, g := range gs {
		height += panelHead + rowHeight*len(g.Results) + panelGap
	}
	height += margin

	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" `+
		`font-family="Helvetica, Arial, sans-serif" font-size="13">`+"\n", chartWidth, height, chartWidth, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	text(&b, margin, margin+18, "font-size=\"18\" font-weight=\"bold\"", "Herald and peer frameworks: the same echo bot, each in its own process")
	text(&b, margin, margin+40, "fill=\"#57606a\"", info.setup())
	text(&b, margin, margin+56, "fill=\"#57606a\"", "CPU: the bot process's user+system time over the traffic, per update answered (start-up excluded); "+info.method())

	y := margin + headHeight
	colWidth := (chartWidth - 2*margin) / len(chartMetrics)
	for _, g := range gs {
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#d0d7de"/>`+"\n", margin, y, chartWidth-margin, y)
		text(&b, margin, y+20, "font-size=\"15\" font-weight=\"bold\"", g.title())
		for i, m := range chartMetrics {
			x := margin + i*colWidth
			text(&b, x+labelWidth, y+40, "fill=\"#57606a\"", m.title)
			drawBars(&b, x, y+panelHead, colWidth, g.Results, m)
		}
		y += panelHead + rowHeight*len(g.Results) + panelGap
	}
	b.WriteString("</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// drawBars draws one metric's bars of a panel, from (x, y), scaled to
// the panel's largest value.
func drawBars(b *bytes.Buffer, x, y, width int, rs []result, m metric) {
	barMax := float64(width - labelWidth - valueWidth)
	var top float64
	for _, r := range rs {
		if r.Skipped == "" {
			top = max(top, m.value(r))
		}
	}
	for i, r := range rs {
		row := y + i*rowHeight
		weight := ""
		if r.Bot == herald {
			weight = ` font-weight="bold"`
		}
		text(b, x+labelWidth-8, row+barHeight-3, `text-anchor="end"`+weight, r.Bot)
		if r.Skipped != "" {
			text(b, x+labelWidth, row+barHeight-3, `fill="#8c959f"`, "n/a")
			continue
		}
		v := m.value(r)
		length := 0.0
		if top > 0 {
			length = barMax * v / top
		}
		fmt.Fprintf(b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", x+labelWidth, row, length, barHeight, botColor(r.Bot))
		label := fmt.Sprintf(m.format, v)
		if r.Error != "" {
			label += " (failed)"
		}
		text(b, x+labelWidth+int(length)+5, row+barHeight-3, weight, label)
	}
}

// text writes a <text> element with attrs (already valid XML) and s
// escaped.
func text(b *bytes.Buffer, x, y int, attrs, s string) {
	var esc strings.Builder
	_ = xml.EscapeText(&esc, []byte(s))
	fmt.Fprintf(b, `<text x="%d" y="%d" %s>%s</text>`+"\n", x, y, attrs, esc.String())
}
