package sqlite

import (
	"testing"

	"github.com/heraldbot/herald/fsm/fsmtest"
)

// TestLockDeadProcess: a child process takes a lock with a 3 s lease and
// keeps it, renewing, for longer than the lease; after it is killed with
// SIGKILL (no Unlock, no Close) a waiter in this process gets the lock
// within 5 s of the kill. This is the runtime's promise for chat locks
// (fsmtest.TestLockerProcess).
func TestLockDeadProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a lease to run out; skipped with -short")
	}
	path := dbPath(t)
	s := openAt(t, path, Options{SweepInterval: -1})
	fsmtest.TestLockerProcess(t, s, startChild(path))
}
