package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// herald bench runs the bots over real HTTP on loopback and prints a row
// for each with every message answered, in order, and the ratios to the
// first: Herald by polling or webhook against the baseline, and Herald
// with each journal engine against Herald without one.
func TestBenchCommand(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		rows []string
	}{
		{"polling", nil, []string{"polling", "baseline"}},
		{"webhook", []string{"--webhook"}, []string{"webhook", "baseline"}},
		{"journals", []string{"--runs", "polling,polling+memory,polling+sqlite,webhook+sqlite"},
			[]string{"polling", `polling\+memory`, `polling\+sqlite`, `webhook\+sqlite`}},
		{"observed", []string{"--runs", "webhook,webhook+metrics,webhook+observed,polling+sqlite+observed"},
			[]string{"webhook", `webhook\+metrics`, `webhook\+observed`, `polling\+sqlite\+observed`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut syncBuffer
			root := newRootCmd()
			args := append([]string{"bench", "--users", "30", "--messages", "5", "--work", "1ms", "--timeout", "1m"}, tc.args...)
			root.SetArgs(args)
			root.SetOut(&out)
			root.SetErr(&errOut)
			if err := root.ExecuteContext(context.Background()); err != nil {
				t.Fatalf("bench: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
			}
			text := out.String()
			for _, bot := range tc.rows {
				m := regexp.MustCompile(`(?m)^` + bot + `\s+(\d+)\s+\S+\s+(\d+)\s+\S+\s+\S+\s+\S+\s+(\d+)\s+(\S+)$`).FindStringSubmatch(text)
				if m == nil {
					t.Fatalf("no %s row in:\n%s", bot, text)
				}
				answered, _ := strconv.Atoi(m[1])
				rate, _ := strconv.Atoi(m[2])
				unordered, _ := strconv.Atoi(m[3])
				cpu, err := time.ParseDuration(m[4])
				if answered != 150 || rate <= 0 || unordered != 0 || err != nil || cpu <= 0 {
					t.Errorf("%s: answered %d (want 150), %d updates/s, %d unordered (want 0), cpu/update %q", bot, answered, rate, unordered, m[4])
				}
			}
			for _, other := range tc.rows[1:] {
				if !regexp.MustCompile(tc.rows[0] + ` vs ` + other + `: \d+\.\d\d× the updates/s`).MatchString(text) {
					t.Errorf("no ratio line for %s in:\n%s", other, text)
				}
			}
		})
	}
}

func TestBenchRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--users", "0"},
		{"--messages", "0"},
		{"--users", "100000", "--messages", "1000"},
		{"--work", "-1s"},
		{"--timeout", "0s"},
		{"--runs", "polling+mongo"},
		{"--runs", "baseline+sqlite"},
		{"--runs", "carrier-pigeon"},
		{"--runs", "polling+observed+observed"},
		{"--runs", "polling+metrics+observed"},
		{"--runs", "webhook+sqlite+redis"},
	} {
		root := newRootCmd()
		var out syncBuffer
		root.SetArgs(append([]string{"bench"}, args...))
		root.SetOut(&out)
		root.SetErr(&out)
		if err := root.ExecuteContext(context.Background()); err == nil {
			t.Errorf("bench %v: no error", args)
		} else if !strings.Contains(err.Error(), "--") {
			t.Errorf("bench %v: error %q does not name the flag", args, err)
		}
	}
}

// The tracker counts a re-delivered answer once and notices a reply
// that overtook an earlier message of its chat.
func TestBenchTracker(t *testing.T) {
	tr := newBenchTracker(2, 3)
	tr.answer(benchFirstUser-1, benchWarmUp)
	select {
	case <-tr.warm:
	default:
		t.Fatal("warm not closed by the warm-up answer")
	}
	for u := range 2 {
		for i := range 3 {
			tr.text(u, i)
		}
	}
	tr.answer(benchFirstUser, "bench 0")
	tr.answer(benchFirstUser, "bench 0") // re-delivered
	tr.answer(benchFirstUser, "bench 2")
	tr.answer(benchFirstUser, "bench 1") // overtaken by 2
	tr.answer(benchFirstUser+1, "hello") // not bench traffic
	tr.answer(benchFirstUser+7, "bench 0")
	if n := tr.answered.Load(); n != 3 {
		t.Errorf("answered %d, want 3", n)
	}
	if n := tr.unordered.Load(); n != 1 {
		t.Errorf("unordered %d, want 1", n)
	}
	for i := range 3 {
		tr.answer(benchFirstUser+1, "bench "+strconv.Itoa(i))
	}
	select {
	case <-tr.done:
	default:
		t.Fatal("done not closed after every message was answered")
	}
	r := tr.result("x")
	if r.Answered != 6 || r.P50 <= 0 || r.P50 > r.P99 || r.Elapsed <= 0 {
		t.Errorf("result %+v", r)
	}
}
