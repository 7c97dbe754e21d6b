// Package backendtest is the contract suite every storage engine passes:
// backend.State, backend.Locker, backend.Claims, backend.LimitStore and
// backend.BroadcastStore. An engine's test runs all of it with Run:
//
//	func TestContract(t *testing.T) {
//		backendtest.Run(t, func(t *testing.T) backend.Backend { return open(t) }, backendtest.Options{})
//	}
//
// or one suite at a time (TestState, TestLocker, TestClaims,
// TestLimitStore, TestBroadcastStore) when it needs different options per
// suite.
//
// Each subtest calls the constructor once, so it may return a fresh
// instance or a shared one: the tests use keys and names of their own
// (a random bot id and random name and owner prefixes per run), so
// leftovers of an earlier run on a shared server do not matter.
//
// A backend shared by several OS processes also runs the process tests,
// TestClaimsProcesses and TestLockerProcess, whose children are its test
// binary run again (StartChild) and call RunChild (see process.go).
//
// # Time
//
// The TTL and lease tests wait with time.Sleep. On real time they use TTLs
// of about a second and wait up to six seconds per suite (TestState 2 s,
// TestLocker 2.5 s plus about 1 s for a dead holder's lease, TestClaims
// 6 s; they may run in parallel on one backend), so the backend must
// honour TTLs and leases to within a few hundred milliseconds. An
// in-process backend (one that reads time.Now and uses timers, with no
// server) sets Options.Synctest: each test then runs in a testing/synctest
// bubble, where time is fake and the waits take no real time.
//
// # What the suites pin down beyond the interface comments
//
//   - State: an expired record counts as missing for CompareAndSet (only
//     expect 0 succeeds, and versions start again at 1, as after Delete);
//     every write sets the TTL anew (0 removes it); a record with empty
//     State and nil Data still exists (version 1); Data comes back
//     byte-for-byte (64 KiB included); of 50 concurrent creates exactly
//     one succeeds; 50 concurrent fsm.Update increments, each through its
//     own fsm.Context with default options, end at exactly 50.
//   - Locker: Lock returns an error wrapping the context's error when the
//     context ends while waiting; a released lock wakes a waiter promptly
//     (not at lease expiry); tokens increase per name; a lock is still
//     held after 2.5 times its ttl.
//   - Locker: a holder that stops renewing (Options.StopRenewal) keeps
//     the lock until its lease runs out, and a waiter then takes it within
//     a second.
//   - Claims: a Claim by the owner of a pending claim reports Pending; a
//     Claim that reports Pending or Done does not extend anything; Extend
//     and Finish of a name never claimed, released, lapsed or done return
//     backend.ErrClaimLost, Release of such a name returns nil; an empty name
//     or owner and a non-positive lease or ttl are errors (not
//     backend.ErrClaimLost) that change nothing; of 50 concurrent claims of a
//     new, released, lapsed or expired-done name exactly one is Claimed
//     and the others Pending.
//
// The LimitStore suite runs on the store's own clock with rates of one per
// hour; the BroadcastStore suite passes its times in, so neither waits.
package backendtest
