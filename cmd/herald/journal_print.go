package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/spf13/cobra"

	"github.com/heraldbot/herald/backend"
)

// statsJSON is what "herald journal stats --json" prints.
type statsJSON struct {
	Partitions []partitionJSON `json:"partitions"`
	// Length, Pending and DeadLetters are totals over the partitions.
	Length      int64 `json:"length"`
	Pending     int64 `json:"pending"`
	DeadLetters int64 `json:"dead_letters"`
	// LagSeconds is the largest lag of a partition.
	LagSeconds float64 `json:"lag_seconds"`
	// Workers lists the live workers; absent when the journal does not
	// keep them.
	Workers []string `json:"workers,omitzero"`
}

// partitionJSON is one partition in statsJSON.
type partitionJSON struct {
	Partition  int       `json:"partition"`
	Length     int64     `json:"length"`
	Pending    int64     `json:"pending"`
	Oldest     time.Time `json:"oldest,omitzero"`
	LagSeconds float64   `json:"lag_seconds"`
	Owner      string    `json:"owner,omitempty"`
}

// deadLetterJSON is one dead letter in what "herald journal dead --json"
// prints (an array).
type deadLetterJSON struct {
	ID         string            `json:"id"`
	UpdateID   int64             `json:"update_id"`
	Partition  int               `json:"partition"`
	Key        int64             `json:"key"`
	Deliveries int               `json:"deliveries"`
	Appended   time.Time         `json:"appended,omitzero"`
	Died       time.Time         `json:"died"`
	Reason     string            `json:"reason"`
	Meta       map[string]string `json:"meta,omitempty"`
	// Update is the update as received: JSON, or a string when it is
	// not valid JSON.
	Update any `json:"update,omitempty"`
}

// requeueJSON is what "herald journal requeue --json" prints.
type requeueJSON struct {
	Requeued int `json:"requeued"`
}

// writeJSON prints v as indented JSON and a newline.
func writeJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v, jsontext.WithIndent("  "))
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// runJournalStats prints the journal's partitions, totals, dead letters
// and live workers.
func runJournalStats(ctx context.Context, cmd *cobra.Command, j *openJournal) error {
	st, err := j.Stats(ctx)
	if err != nil {
		return err
	}
	workers, err := j.Workers(ctx)
	if err != nil {
		return err
	}
	if workers == nil {
		workers = []string{} // printed as "none"
	}
	now := time.Now()
	sum := statsJSON{DeadLetters: st.DeadLetters, Workers: workers, Partitions: make([]partitionJSON, 0, len(st.Partitions))}
	var maxLag time.Duration
	owned := 0
	for _, p := range st.Partitions {
		lag := lagOf(p, now)
		sum.Partitions = append(sum.Partitions, partitionJSON{Partition: p.Partition, Length: p.Length, Pending: p.Pending,
			Oldest: p.Oldest, LagSeconds: lag.Seconds(), Owner: p.Owner})
		sum.Length += p.Length
		sum.Pending += p.Pending
		maxLag = max(maxLag, lag)
		if p.Owner != "" {
			owned++
		}
	}
	sum.LagSeconds = maxLag.Seconds()
	out := cmd.OutOrStdout()
	if j.json {
		return writeJSON(out, sum)
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PARTITION\tLENGTH\tPENDING\tLAG\tOWNER")
	for _, p := range st.Partitions {
		fmt.Fprintf(w, "%d\t%d\t%d\t%s\t%s\n", p.Partition, p.Length, p.Pending, lagText(p, now), orDash(p.Owner))
	}
	total := "-"
	if maxLag > 0 {
		total = humanDuration(maxLag)
	}
	fmt.Fprintf(w, "total\t%d\t%d\t%s\t%d of %d owned\n", sum.Length, sum.Pending, total, owned, len(st.Partitions))
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "dead letters: %d\n", st.DeadLetters)
	if workers != nil {
		list := "none"
		if len(workers) > 0 {
			list = strings.Join(workers, ", ")
		}
		fmt.Fprintf(out, "workers: %d (%s)\n", len(workers), list)
	}
	if sum.Length == 0 && st.DeadLetters == 0 && owned == 0 && len(workers) == 0 && j.engine == "redis" {
		fmt.Fprintln(cmd.ErrOrStderr(), "the journal is empty and nothing works on it: is --prefix (or the database in the URL) the bots'?")
	}
	return nil
}

// lagOf is how long the oldest entry of p not acknowledged has waited:
// zero when there is none.
func lagOf(p backend.PartitionStats, now time.Time) time.Duration {
	if p.Oldest.IsZero() {
		return 0
	}
	return max(now.Sub(p.Oldest), 0) // the engine's clock may run ahead of ours
}

// lagText is lagOf for people: "-" when the partition holds nothing.
func lagText(p backend.PartitionStats, now time.Time) string {
	if p.Oldest.IsZero() {
		return "-"
	}
	return humanDuration(lagOf(p, now))
}

// humanDuration writes d with a precision that fits its size: 850ms,
// 42s, 3m7s, 5h12m, 3d4h.
func humanDuration(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Hour:
		return d.Round(time.Second).String()
	case d < 2*day:
		return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
	}
	d = d.Round(time.Hour)
	return fmt.Sprintf("%dd%dh", d/day, d%day/time.Hour)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// runJournalDead lists up to limit dead letters, oldest first.
func runJournalDead(ctx context.Context, cmd *cobra.Command, j *openJournal, limit int) error {
	dead, err := j.DeadLetters(ctx, limit+1) // one more tells whether there are more
	if err != nil {
		return err
	}
	more := len(dead) > limit
	if more {
		dead = dead[:limit]
		st, err := j.Stats(ctx)
		if err != nil {
			return err
		}
		defer fmt.Fprintf(cmd.ErrOrStderr(), "%d of %d dead letters shown: raise --limit for more\n", limit, st.DeadLetters)
	}
	out := cmd.OutOrStdout()
	if j.json {
		list := make([]deadLetterJSON, 0, len(dead))
		for _, d := range dead {
			e := d.Entry
			dj := deadLetterJSON{ID: d.ID, UpdateID: e.UpdateID, Partition: e.Partition, Key: e.Key, Deliveries: e.Deliveries,
				Appended: e.Appended, Died: d.Died, Reason: d.Reason, Meta: e.Meta}
			if v := jsontext.Value(e.Update); v.IsValid() {
				dj.Update = v
			} else if len(e.Update) > 0 {
				dj.Update = string(e.Update)
			}
			list = append(list, dj)
		}
		return writeJSON(out, list)
	}
	if len(dead) == 0 {
		fmt.Fprintln(out, "no dead letters")
		return nil
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tUPDATE_ID\tPARTITION\tKEY\tDELIVERIES\tDIED\tREASON")
	for _, d := range dead {
		e := d.Entry
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%s\t%s\n", d.ID, e.UpdateID, e.Partition, e.Key, e.Deliveries,
			d.Died.Local().Format(time.DateTime), oneLine(d.Reason))
	}
	return w.Flush()
}

// oneLine replaces the line breaks and tabs of s with spaces, which keeps
// a table's rows and columns.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s)
}
