package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// group is the results of one mode and handler work, in the bots' order.
type group struct {
	Mode, Work string
	Results    []result
}

func (g group) title() string { return g.Mode + ", handler work " + g.Work }

// herald is Herald's result in the group, if it ran.
func (g group) herald() (result, bool) {
	for _, r := range g.Results {
		if r.Bot == herald && r.ok() {
			return r, true
		}
	}
	return result{}, false
}

// groups splits results by mode and work, keeping their order.
func groups(results []result) []group {
	var out []group
	at := map[string]int{}
	for _, r := range results {
		k := r.Mode + "/" + r.Work
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, group{Mode: r.Mode, Work: r.Work})
		}
		out[i].Results = append(out[i].Results, r)
	}
	return out
}

// runInfo describes a run for the report's header.
type runInfo struct {
	Users, Messages, Repeat int
	Cores                   int
	GoVersion, NodeVersion  string
	Date                    time.Time
}

// setup is the load and the machine.
func (in runInfo) setup() string {
	node := in.NodeVersion
	if node == "" {
		node = "not run"
	}
	return fmt.Sprintf("%d users × %d messages (%d updates a run), %d cores, %s, node %s, emulator limits off, 127.0.0.1 only",
		in.Users, in.Messages, in.Users*in.Messages, in.Cores, in.GoVersion, node)
}

// method says which run of each scenario is shown.
func (in runInfo) method() string {
	if in.Repeat > 1 {
		return fmt.Sprintf("median of %d runs by updates/s", in.Repeat)
	}
	return "one run each"
}

func (in runInfo) summary() string { return in.setup() + "; " + in.method() }

// cell formats a figure of a result, or what stands for it.
func rssMB(r result) string { return fmt.Sprintf("%.1f", float64(r.PeakRSS)/(1<<20)) }

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", d.Seconds()*1e3) }

// times formats a ratio to Herald's figure.
func times(v, herald float64) string {
	if herald <= 0 || v <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", v/herald)
}

// printText writes the results as aligned tables, one per group, and
// each peer's ratios to Herald.
func printText(w io.Writer, info runInfo, results []result) {
	fmt.Fprintf(w, "\npeerbench: %s\n", info.summary())
	for _, g := range groups(results) {
		fmt.Fprintf(w, "\n%s\n", g.title())
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "bot\tupdates/s\tCPU µs/update\tpeak RSS MB\tp50 ms\tp99 ms\tlost\tout of order\tduplicates\t")
		var notes []string
		for _, r := range g.Results {
			if r.Skipped != "" {
				fmt.Fprintf(tw, "%s\tn/a\t\t\t\t\t\t\t\t\n", r.Bot)
				notes = append(notes, fmt.Sprintf("%s: n/a — %s", r.Bot, r.Skipped))
				continue
			}
			fmt.Fprintf(tw, "%s\t%.0f\t%.1f\t%s\t%s\t%s\t%d\t%d\t%d\t\n", r.Bot, r.Rate, r.CPUus, rssMB(r),
				ms(r.P50), ms(r.P99), r.Lost, r.Unordered, r.Duplicates)
			if r.Error != "" {
				notes = append(notes, fmt.Sprintf("%s: FAILED — %s", r.Bot, firstLine(r.Error)))
			}
		}
		_ = tw.Flush()
		if h, ok := g.herald(); ok {
			for _, r := range g.Results {
				if r.Bot != herald && r.ok() {
					fmt.Fprintf(w, "  %s CPU/update = %s Herald's, updates/s = %s Herald's\n",
						r.Bot, times(r.CPUus, h.CPUus), times(r.Rate, h.Rate))
				}
			}
		}
		for _, n := range notes {
			fmt.Fprintln(w, "  "+n)
		}
	}
}

// writeMarkdown writes the results as one markdown table with the
// ratios to Herald, and the notes on runs that were not measured.
func writeMarkdown(w io.Writer, info runInfo, command string, results []result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Measured by `%s` on %s: %s. Each bot runs in its own process; "+
		"CPU is the bot process's user+system time over the traffic only (start-up excluded), per update answered.\n\n",
		command, info.Date.Format("2006-01-02"), info.summary())
	b.WriteString("| mode | work | bot | updates/s | × Herald | CPU µs/update | × Herald | peak RSS MB | p50 ms | p99 ms | lost | out of order | duplicates |\n")
	b.WriteString("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	var notes []string
	for _, g := range groups(results) {
		h, hasHerald := g.herald()
		for _, r := range g.Results {
			name := r.Framework
			if r.Bot == herald {
				name = "**" + name + "**"
			}
			if r.Skipped != "" {
				fmt.Fprintf(&b, "| %s | %s | %s | n/a | | | | | | | | | |\n", g.Mode, g.Work, name)
				notes = append(notes, fmt.Sprintf("%s, %s: n/a — %s.", r.Framework, g.Mode, r.Skipped))
				continue
			}
			rate, cpu := "–", "–"
			if hasHerald && r.ok() {
				rate, cpu = times(r.Rate, h.Rate), times(r.CPUus, h.CPUus)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %.0f | %s | %.1f | %s | %s | %s | %s | %d | %d | %d |\n", g.Mode, g.Work, name,
				r.Rate, rate, r.CPUus, cpu, rssMB(r), ms(r.P50), ms(r.P99), r.Lost, r.Unordered, r.Duplicates)
			if r.Error != "" {
				notes = append(notes, fmt.Sprintf("%s, %s, work %s: failed — %s", r.Framework, g.Mode, g.Work, firstLine(r.Error)))
			}
		}
	}
	b.WriteString("\nlost: never answered; out of order: a reply that came after the reply to a later message of the same chat; " +
		"duplicates: more than one reply to a message.\n")
	for _, n := range unique(notes) { // a bot n/a in a mode is so at every work
		b.WriteString("\n- " + n)
	}
	if len(notes) > 0 {
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeJSON writes the run's description, the reported (median) results
// and every run.
func writeJSON(w io.Writer, info runInfo, medians, all []result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Run     runInfo  `json:"run"`
		Results []result `json:"results"`
		Runs    []result `json:"runs"`
	}{info, medians, all})
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// unique is ss without repeats, in order.
func unique(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
