package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/backendtest"
)

// Environment of the journal's child processes (TestJournalChildProcess).
const (
	envJournalBase = "HERALD_SQLITE_JOURNAL_BASE" // the first update id
	envJournalN    = "HERALD_SQLITE_JOURNAL_N"    // how many update ids
	envJournalSide = "HERALD_SQLITE_JOURNAL_SIDE" // 0 or 1: how the child cuts its batches
	envJournalAt   = "HERALD_SQLITE_JOURNAL_AT"   // when to start, Unix ns
	envJournalOut  = "HERALD_SQLITE_JOURNAL_OUT"  // file the child writes its result into
)

// TestJournalTwoProcesses: two OS processes, each with its own Store on
// one file, append the same 2000 updates at the same moment, in batches
// of 10 cut differently (and ordered differently within a batch) in each:
// exactly one copy of each update is in the journal, and the two Appends'
// counts add up to 2000.
func TestJournalTwoProcesses(t *testing.T) {
	const ids = 2000
	path := dbPath(t)
	j := openAt(t, path, Options{SweepInterval: -1}).Journal() // creates and migrates the file
	base := time.Now().UnixNano()%(1<<40) + 1
	at := time.Now().Add(2 * time.Second).UnixNano()
	var outs [2]string
	for side := range outs {
		outs[side] = filepath.Join(t.TempDir(), "result")
		backendtest.StartChild(t, "TestJournalChildProcess", envPath+"="+path,
			envJournalBase+"="+strconv.FormatInt(base, 10), envJournalN+"="+strconv.Itoa(ids),
			envJournalSide+"="+strconv.Itoa(side), envJournalAt+"="+strconv.FormatInt(at, 10),
			envJournalOut+"="+outs[side])
	}
	added := 0
	for side, out := range outs {
		n := awaitResult(t, out, 60*time.Second)
		t.Logf("process %d added %d", side, n)
		added += n
	}
	if added != ids {
		t.Fatalf("the two processes added %d entries, want %d", added, ids)
	}
	ctx := context.Background()
	if n, err := j.Len(ctx); err != nil || n != ids {
		t.Fatalf("Len = %d, %v; want %d", n, err, ids)
	}
	all := make([]int, j.Partitions())
	for p := range all {
		all[p] = p
	}
	copies := make(map[int64]int)
	for _, e := range mustRead(t, j, "check", all, 10*ids) {
		copies[e.UpdateID]++
	}
	for k := range int64(ids) {
		if n := copies[base+k]; n != 1 {
			t.Errorf("update %d is in the journal %d times, want once", base+k, n)
		}
	}
}

// awaitResult waits for the file a child writes its result into at the
// end: the number of entries it added, or an error.
func awaitResult(t *testing.T, path string, timeout time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		b, err := os.ReadFile(path)
		if err == nil {
			n, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatalf("child: %s", b)
			}
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("no result in %s within %v", path, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// journalBatches cuts the n update ids from base into batches of 10: side
// 0 from id 0, side 1 from id 5 on and each batch reversed, so that the
// batches of the two sides overlap.
func journalBatches(base int64, n, side int) [][]backend.JournalEntry {
	var out [][]backend.JournalEntry
	for lo := -5 * side; lo < n; lo += 10 {
		var b []backend.JournalEntry
		for k := max(lo, 0); k < min(lo+10, n); k++ {
			b = append(b, journalEntry(base+int64(k), int64(k%37)-1000))
		}
		if side == 1 {
			slices.Reverse(b)
		}
		out = append(out, b)
	}
	return out
}

// TestJournalChildProcess is the body of TestJournalTwoProcesses's
// children; it does nothing when run on its own.
func TestJournalChildProcess(t *testing.T) {
	out := os.Getenv(envJournalOut)
	if out == "" {
		t.Skip("a helper process of TestJournalTwoProcesses")
	}
	added, err := childAppend()
	result := strconv.Itoa(added)
	if err != nil {
		result = "error: " + err.Error()
	}
	// Written whole, then renamed: the parent never reads half a result.
	if err := os.WriteFile(out+".tmp", []byte(result), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(out+".tmp", out); err != nil {
		t.Fatal(err)
	}
}

// childAppend appends the child's batches from the agreed moment on and
// returns how many entries the Appends added.
func childAppend() (int, error) {
	base, _ := strconv.ParseInt(os.Getenv(envJournalBase), 10, 64)
	n, _ := strconv.Atoi(os.Getenv(envJournalN))
	side, _ := strconv.Atoi(os.Getenv(envJournalSide))
	at, _ := strconv.ParseInt(os.Getenv(envJournalAt), 10, 64)
	ctx := context.Background()
	s, err := Open(ctx, os.Getenv(envPath), Options{SweepInterval: -1})
	if err != nil {
		return 0, err
	}
	defer s.Close()
	batches := journalBatches(base, n, side)
	time.Sleep(time.Until(time.Unix(0, at)))
	added := 0
	for _, b := range batches {
		k, err := s.Journal().Append(ctx, b)
		if err != nil {
			return added, fmt.Errorf("append: %w", err)
		}
		added += k
	}
	return added, nil
}
