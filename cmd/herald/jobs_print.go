package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/spf13/cobra"

	"github.com/heraldbot/herald/jobs"
)

// jobJSON is one job of herald jobs --json.
type jobJSON struct {
	ID          int64          `json:"id"`
	State       string         `json:"state"`
	Kind        string         `json:"kind"`
	Queue       string         `json:"queue"`
	Attempt     int            `json:"attempt"`
	MaxAttempts int            `json:"max_attempts"`
	Args        jsontext.Value `json:"args"`
	CreatedAt   time.Time      `json:"created_at"`
	ScheduledAt time.Time      `json:"scheduled_at"`
	AttemptedAt *time.Time     `json:"attempted_at,omitempty"`
	FinalizedAt *time.Time     `json:"finalized_at,omitempty"`
	LastError   string         `json:"last_error,omitempty"`
}

// printJobs writes rows as a table, or as a JSON array with asJSON.
func printJobs(cmd *cobra.Command, rows []*jobs.Row, asJSON bool) error {
	out := cmd.OutOrStdout()
	if asJSON {
		list := make([]jobJSON, 0, len(rows))
		for _, r := range rows {
			j := jobJSON{ID: r.ID, State: string(r.State), Kind: r.Kind, Queue: r.Queue, Attempt: r.Attempt,
				MaxAttempts: r.MaxAttempts, Args: jsontext.Value(r.EncodedArgs), CreatedAt: r.CreatedAt,
				ScheduledAt: r.ScheduledAt, AttemptedAt: r.AttemptedAt, FinalizedAt: r.FinalizedAt, LastError: lastError(r)}
			if len(j.Args) == 0 {
				j.Args = jsontext.Value("null")
			}
			list = append(list, j)
		}
		b, err := json.Marshal(list, jsontext.Multiline(true))
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(out, string(b))
		return err
	}
	if len(rows) == 0 {
		_, err := fmt.Fprintln(out, "no jobs")
		return err
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tSTATE\tKIND\tQUEUE\tATTEMPTS\tWHEN\tLAST ERROR")
	now := time.Now()
	for _, r := range rows {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d/%d\t%s\t%s\n", r.ID, r.State, r.Kind, r.Queue, r.Attempt, r.MaxAttempts,
			jobWhen(r, now), truncateLine(lastError(r), 60))
	}
	return w.Flush()
}

// jobWhen says when the job runs, ran or ended, relative to now.
func jobWhen(r *jobs.Row, now time.Time) string {
	switch {
	case r.FinalizedAt != nil:
		return "ended " + ago(now.Sub(*r.FinalizedAt))
	case r.State == "running" && r.AttemptedAt != nil:
		return "started " + ago(now.Sub(*r.AttemptedAt))
	case r.ScheduledAt.After(now):
		return "in " + r.ScheduledAt.Sub(now).Round(time.Second).String()
	}
	return "due " + ago(now.Sub(r.ScheduledAt))
}

func ago(d time.Duration) string {
	if d < time.Second {
		return "now"
	}
	return d.Round(time.Second).String() + " ago"
}

// lastError is the job's latest error, if any.
func lastError(r *jobs.Row) string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[len(r.Errors)-1].Error
}

// truncateLine keeps the first line of s, at most n runes.
func truncateLine(s string, n int) string {
	s, _, _ = strings.Cut(s, "\n")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
