package redis

import (
	"testing"

	"github.com/heraldbot/herald/backend/backendtest"
)

// TestLockDeadProcess: a child process takes a chat lock with a 3 s lease,
// as the runtime does, and keeps it, renewing, for longer than the lease;
// after it is killed with SIGKILL (no Unlock) a waiter in this process
// gets the lock within 5 s of the kill (backendtest.TestLockerProcess).
func TestLockDeadProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a lease to run out; skipped with -short")
	}
	s := newStore(t)
	backendtest.TestLockerProcess(t, s, startChild(s.BotID()))
}
