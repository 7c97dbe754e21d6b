package main

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// scenarios lists every bot × mode × work, grouped by mode and work so
// that each group compares the bots under the same conditions.
func scenarios(cfg config) []scenario {
	var out []scenario
	for _, mode := range cfg.Modes {
		for _, work := range cfg.Works {
			for _, b := range cfg.Bots {
				out = append(out, scenario{Bot: b, Mode: mode, Work: work})
			}
		}
	}
	return out
}

// runAll runs every scenario cfg.Repeat times, one round of all the
// scenarios after the other so that a slow spell of the machine does not
// fall on one bot's runs only, and returns each scenario's median run
// with all the runs.
func (r *runner) runAll(ctx context.Context) (medians, all []result) {
	list := scenarios(r.cfg)
	runs := map[string][]result{}
	n := 0
	for round := range r.cfg.Repeat {
		for _, sc := range list {
			if ctx.Err() != nil {
				break
			}
			n++
			label := fmt.Sprintf("[%d/%d] %s", n, len(list)*r.cfg.Repeat, sc)
			if r.cfg.Repeat > 1 {
				label += fmt.Sprintf(" (run %d)", round+1)
			}
			began := time.Now()
			res := r.run(ctx, sc, label)
			if res.Skipped == "" {
				r.log.Info("run done", "scenario", sc.String(), "answered", res.Answered, "lost", res.Lost,
					"updates_per_s", int(res.Rate), "cpu_us_per_update", fmt.Sprintf("%.1f", res.CPUus),
					"took", time.Since(began).Round(time.Millisecond))
			}
			runs[sc.key()] = append(runs[sc.key()], res)
			all = append(all, res)
		}
	}
	for _, sc := range list {
		if rs := runs[sc.key()]; len(rs) > 0 {
			medians = append(medians, median(rs))
		}
	}
	return medians, all
}

// median returns the run with the median updates/s; failed runs count
// as the slowest.
func median(rs []result) result {
	rs = slices.Clone(rs)
	slices.SortStableFunc(rs, func(a, b result) int {
		if a.ok() != b.ok() {
			if a.ok() {
				return 1
			}
			return -1
		}
		switch {
		case a.Rate < b.Rate:
			return -1
		case a.Rate > b.Rate:
			return 1
		}
		return 0
	})
	return rs[(len(rs)-1)/2]
}
