package sqlite

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/backendtest"
	"github.com/heraldbot/herald/tg"
)

// Environment of the child processes (see TestChildProcess).
const (
	envPath       = "HERALD_SQLITE_PATH"        // the database file
	envLimitsBot  = "HERALD_SQLITE_LIMITS_BOT"  // limits job: the bot whose bucket to drain
	envLimitsAt   = "HERALD_SQLITE_LIMITS_AT"   // limits job: when to start, Unix ns
	envLimitsTake = "HERALD_SQLITE_LIMITS_TAKE" // limits job: how many Takes to try
)

// startChild returns a backendtest.StartFunc whose children open a Store
// on the file at path.
func startChild(path string) backendtest.StartFunc {
	return func(t *testing.T, env ...string) *backendtest.Child {
		return backendtest.StartChild(t, "TestChildProcess", append(env, envPath+"="+path)...)
	}
}

// TestClaimsTwoProcesses: two OS processes, each with its own Store on one
// file, claim the same 200 names at once, from two goroutines per name
// each: exactly one claim per name is backend.Claimed
// (backendtest.TestClaimsProcesses).
func TestClaimsTwoProcesses(t *testing.T) {
	path := dbPath(t)
	openAt(t, path, Options{SweepInterval: -1}).Close() // create and migrate the file
	backendtest.TestClaimsProcesses(t, startChild(path))
}

// TestLockDeadProcess: a child process takes a lock with a 3 s lease and
// keeps it, renewing, for longer than the lease; after it is killed with
// SIGKILL (no Unlock, no Close) a waiter in this process gets the lock
// within 5 s of the kill. This is the runtime's promise for chat locks
// (backendtest.TestLockerProcess).
func TestLockDeadProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a lease to run out; skipped with -short")
	}
	path := dbPath(t)
	s := openAt(t, path, Options{SweepInterval: -1})
	backendtest.TestLockerProcess(t, s, startChild(path))
}

// TestLimitsTwoProcesses: two OS processes, each with its own Store on one
// file, and this one take from the same bucket of one bot at once, 1000
// tries each: a bucket with a burst of 1000 and one message an hour lets
// exactly 1000 of the 3000 through, whoever asks.
func TestLimitsTwoProcesses(t *testing.T) {
	const (
		burst = 1000
		tries = 1000
	)
	path := dbPath(t)
	s := openAt(t, path, Options{SweepInterval: -1})
	bot := strconv.FormatInt(time.Now().UnixNano()%(1<<40)+1, 10)
	at := strconv.FormatInt(time.Now().Add(2*time.Second).UnixNano(), 10)
	var (
		wg   sync.WaitGroup
		outs [2][]byte
		errs [2]error
	)
	for i := range outs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcess$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), envPath+"="+path, envLimitsBot+"="+bot, envLimitsAt+"="+at,
			envLimitsTake+"="+strconv.Itoa(tries))
		wg.Go(func() { outs[i], errs[i] = cmd.CombinedOutput() })
	}
	botID, _ := strconv.ParseInt(bot, 10, 64)
	startAt, _ := strconv.ParseInt(at, 10, 64)
	taken := takeAll(t, s.Limits(botID), time.Unix(0, startAt), tries)
	t.Logf("this process took %d", taken)
	wg.Wait()
	for i, out := range outs {
		if errs[i] != nil {
			t.Fatalf("child %d: %v\n%s", i, errs[i], out)
		}
		_, rest, ok := strings.Cut(string(out), "TAKEN ")
		if !ok {
			t.Fatalf("child %d wrote no TAKEN line:\n%s", i, out)
		}
		n, err := strconv.Atoi(strings.Fields(rest)[0])
		if err != nil {
			t.Fatalf("child %d: %v\n%s", i, err, out)
		}
		t.Logf("child %d took %d", i, n)
		taken += n
	}
	if taken != burst {
		t.Fatalf("%d messages taken across three processes, want exactly the burst of %d", taken, burst)
	}
}

// limitsRequest is the request of TestLimitsTwoProcesses: one message
// into chat 1, whose bucket lets a burst of 1000 through, then one an
// hour.
func limitsRequest() *backend.LimitRequest {
	return &backend.LimitRequest{N: 1, Chat: tg.ID(1), Buckets: []backend.LimitBucket{
		{Scope: backend.ScopeChat, Chat: tg.ID(1), Rate: backend.Rate{Count: 1, Per: time.Hour, Burst: 1000}},
	}}
}

// takeAll waits until start, tries n Takes and returns how many were let
// through.
func takeAll(t *testing.T, l backend.LimitStore, start time.Time, n int) int {
	time.Sleep(time.Until(start))
	taken := 0
	for range n {
		v, err := l.Take(context.Background(), limitsRequest())
		if err != nil {
			t.Fatal(err)
		}
		if v.Wait == 0 {
			taken++
		}
	}
	return taken
}

// TestChildProcess is the body of the child processes of the process
// tests; it does nothing when run on its own.
func TestChildProcess(t *testing.T) {
	limitsBot := os.Getenv(envLimitsBot)
	if !backendtest.IsChild() && limitsBot == "" {
		t.Skip("a helper process of the process tests")
	}
	s, err := Open(context.Background(), os.Getenv(envPath), Options{SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if limitsBot == "" {
		backendtest.RunChild(t, s, s)
		return
	}
	bot, _ := strconv.ParseInt(limitsBot, 10, 64)
	at, _ := strconv.ParseInt(os.Getenv(envLimitsAt), 10, 64)
	n, _ := strconv.Atoi(os.Getenv(envLimitsTake))
	fmt.Printf("TAKEN %d\n", takeAll(t, s.Limits(bot), time.Unix(0, at), n))
}
