package postgres

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend/backendtest"
)

// The environment of a child process: the server and schema to open.
const (
	envDSN    = "HERALD_PG_TEST_DSN"
	envSchema = "HERALD_PG_TEST_SCHEMA"
)

// startChild returns a backendtest.StartFunc whose children open a Store
// on schema of the test server.
func startChild(dsn, schema string) backendtest.StartFunc {
	return func(t *testing.T, env ...string) *backendtest.Child {
		return backendtest.StartChild(t, "TestChildProcess", append(env, envDSN+"="+dsn, envSchema+"="+schema)...)
	}
}

// TestClaimsTwoProcesses: two OS processes, each with its own Store (and
// pool) on one schema, claim the same 200 names at once: exactly one
// claim per name is Claimed (backendtest.TestClaimsProcesses).
func TestClaimsTwoProcesses(t *testing.T) {
	t.Parallel()
	dsn, schema := testDSN(t)
	openAt(t, dsn, schema, Options{}) // migrate before the children race
	backendtest.TestClaimsProcesses(t, startChild(dsn, schema))
}

// TestLockDeadProcess: a child process holds a lock with a 3 s lease,
// renewing it, and is killed with SIGKILL; a waiter in this process gets
// the lock within 5 s of the kill (backendtest.TestLockerProcess).
func TestLockDeadProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a lease to run out; skipped with -short")
	}
	t.Parallel()
	dsn, schema := testDSN(t)
	s := openAt(t, dsn, schema, Options{})
	backendtest.TestLockerProcess(t, s.Locker(), startChild(dsn, schema))
}

// TestChildProcess is the body of the child processes of the process
// tests; it does nothing when run on its own.
func TestChildProcess(t *testing.T) {
	if !backendtest.IsChild() {
		t.Skip("a helper process of TestClaimsTwoProcesses and TestLockDeadProcess")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Open(ctx, os.Getenv(envDSN), Options{Schema: os.Getenv(envSchema), SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	backendtest.RunChild(t, s.Claims(), s.Locker())
}
