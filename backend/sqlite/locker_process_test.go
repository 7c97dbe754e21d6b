package sqlite

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// TestLockDeadProcess: a child process takes a lock with a 3 s lease and
// keeps it, renewing, for longer than the lease; after it is killed with
// SIGKILL (no Unlock, no Close) a waiter in this process gets the lock
// within 5 s of the kill. This is the runtime's promise for chat locks.
func TestLockDeadProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a lease to run out; skipped with -short")
	}
	path := dbPath(t)
	s := openAt(t, path, Options{SweepInterval: -1})
	name := fmt.Sprintf("chat-%d", time.Now().UnixNano())
	kid := startChild(t, "lock", envPath+"="+path, envName+"="+name)
	kid.await(t, "LOCKED", 30*time.Second)

	got := make(chan time.Time, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		lk, err := s.Lock(ctx, name, 3*time.Second)
		if err != nil {
			t.Errorf("Lock: %v", err)
			close(got)
			return
		}
		got <- time.Now()
		lk.Unlock(context.Background())
	}()
	// Past the first lease: only the child's renewals keep it.
	select {
	case <-got:
		t.Fatal("the waiter got the lock while the child held it")
	case <-time.After(4 * time.Second):
	}
	if err := kid.cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	killed := time.Now()
	select {
	case at, ok := <-got:
		if !ok {
			return
		}
		d := at.Sub(killed)
		t.Logf("the waiter got the lock %v after the holder was killed", d.Round(time.Millisecond))
		if d > 5*time.Second {
			t.Fatalf("the waiter got the lock %v after the holder was killed, want at most 5 s", d)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the waiter did not get the lock within 20 s of the kill")
	}
}

// childLock takes the lock named by HERALD_SQLITE_NAME with a 3 s lease,
// reports it and keeps it until killed.
func childLock(t *testing.T, s *Store) {
	lk, err := s.Lock(context.Background(), os.Getenv(envName), 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("LOCKED %d\n", lk.Token())
	time.Sleep(time.Minute)
	t.Error("not killed within a minute")
}
