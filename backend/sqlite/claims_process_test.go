package sqlite

import (
	"context"
	"os"
	"testing"

	"github.com/heraldbot/herald/fsm/fsmtest"
)

// envPath names the database file a child process opens (see startChild).
const envPath = "HERALD_SQLITE_PATH"

// startChild returns a fsmtest.StartFunc whose children open a Store on
// the file at path.
func startChild(path string) fsmtest.StartFunc {
	return func(t *testing.T, env ...string) *fsmtest.Child {
		return fsmtest.StartChild(t, "TestChildProcess", append(env, envPath+"="+path)...)
	}
}

// TestClaimsTwoProcesses: two OS processes, each with its own Store on one
// file, claim the same 200 names at once, from two goroutines per name
// each: exactly one claim per name is backend.Claimed
// (fsmtest.TestClaimsProcesses).
func TestClaimsTwoProcesses(t *testing.T) {
	path := dbPath(t)
	openAt(t, path, Options{SweepInterval: -1}).Close() // create and migrate the file
	fsmtest.TestClaimsProcesses(t, startChild(path))
}

// TestChildProcess is the body of the child processes of the process
// tests; it does nothing when run on its own.
func TestChildProcess(t *testing.T) {
	if !fsmtest.IsChild() {
		t.Skip("a helper process of TestClaimsTwoProcesses and TestLockDeadProcess")
	}
	s, err := Open(context.Background(), os.Getenv(envPath), Options{SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fsmtest.RunChild(t, s, s)
}
