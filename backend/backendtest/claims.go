package backendtest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/testkit"
)

// TestClaims runs the contract tests of backend.Claims as subtests, each on a
// Claims returned by newClaims. Pass at most one Options; the lease and
// done-mark tests wait with time.Sleep (about 4.5 s in all on real
// time).
func TestClaims(t *testing.T, newClaims func(t *testing.T) backend.Claims, opts ...Options) {
	runSuite(t, newClaims, opts, []subtest[backend.Claims]{
		{"ExactlyOneOfConcurrent", testClaimConcurrent},
		{"FinishThenDone", testClaimFinish},
		{"ReleaseFreesAtOnce", testClaimRelease},
		{"LeaseExpiry", testClaimLeaseExpiry},
		{"ExtendKeepsAlive", testClaimExtend},
		{"DoneExpiry", testClaimDoneExpiry},
		{"NamesIndependent", testClaimNames},
		{"BadInput", testClaimBadInput},
	})
}

// owners hands out owner strings unique to one test run.
type owners struct {
	prefix string
	mu     sync.Mutex
	n      int
}

func newOwners() *owners { return &owners{prefix: uniqueName("owner")} }

func (o *owners) next() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.n++
	return fmt.Sprintf("%s-%d", o.prefix, o.n)
}

// claimFirst begins a subtest: it makes fresh owners and a name of its
// own (uniqueName(what)), and claims the name for lease for the first
// owner, which it returns with them.
func claimFirst(t *testing.T, c backend.Claims, what string, lease time.Duration) (ow *owners, name, first string) {
	t.Helper()
	ow, name = newOwners(), uniqueName(what)
	first = ow.next()
	claim(t, c, name, first, lease, backend.Claimed)
	return ow, name, first
}

func claim(t *testing.T, c backend.Claims, name, owner string, lease time.Duration, want backend.ClaimStatus) {
	t.Helper()
	got, err := c.Claim(testkit.Context(t), name, owner, lease)
	if err != nil {
		t.Fatalf("Claim(%q, %q, %v): %v", name, owner, lease, err)
	}
	if got != want {
		t.Fatalf("Claim(%q, %q, %v) = %v, want %v", name, owner, lease, got, want)
	}
}

func finish(t *testing.T, c backend.Claims, name, owner string, ttl time.Duration, want error) {
	t.Helper()
	err := c.Finish(testkit.Context(t), name, owner, ttl)
	checkClaimErr(t, "Finish", name, owner, err, want)
}

func extend(t *testing.T, c backend.Claims, name, owner string, lease time.Duration, want error) {
	t.Helper()
	err := c.Extend(testkit.Context(t), name, owner, lease)
	checkClaimErr(t, "Extend", name, owner, err, want)
}

func release(t *testing.T, c backend.Claims, name, owner string) {
	t.Helper()
	if err := c.Release(testkit.Context(t), name, owner); err != nil {
		t.Fatalf("Release(%q, %q): %v", name, owner, err)
	}
}

// finishDone finishes owner's claim of name and checks that a Claim by
// other then reports backend.Done.
func finishDone(t *testing.T, c backend.Claims, name, owner, other string) {
	t.Helper()
	finish(t, c, name, owner, time.Minute, nil)
	claim(t, c, name, other, time.Minute, backend.Done)
}

func checkClaimErr(t *testing.T, op, name, owner string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s(%q, %q): %v", op, name, owner, err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("%s(%q, %q): %v; want an error wrapping %v", op, name, owner, err, want)
	}
}

// claimRace has n owners claim name at once (goroutines released
// together) and returns the one that got backend.Claimed; every other call
// must report backend.Pending.
func claimRace(t *testing.T, c backend.Claims, ow *owners, name string, lease time.Duration) string {
	t.Helper()
	ctx := testkit.Context(t)
	const n = 50
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		winners []string
		other   = map[backend.ClaimStatus]int{}
		start   = make(chan struct{})
	)
	for range n {
		owner := ow.next()
		wg.Go(func() {
			<-start
			st, err := c.Claim(ctx, name, owner, lease)
			if err != nil {
				t.Errorf("Claim(%q, %q): %v", name, owner, err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if st == backend.Claimed {
				winners = append(winners, owner)
			} else {
				other[st]++
			}
		})
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if len(winners) != 1 || other[backend.Pending] != n-1 {
		t.Fatalf("%d concurrent Claim calls: %d got Claimed, the others %v; want exactly 1 Claimed and %d Pending",
			n, len(winners), other, n-1)
	}
	return winners[0]
}

// testClaimConcurrent: of 50 concurrent claims of a new name exactly one
// gets Claimed and the others Pending; the same holds once the winner has
// released it.
func testClaimConcurrent(t *testing.T, c backend.Claims, _ Options) {
	ow := newOwners()
	name := uniqueName("claim-race")
	first := claimRace(t, c, ow, name, time.Minute)
	release(t, c, name, first)
	second := claimRace(t, c, ow, name, time.Minute)
	finishDone(t, c, name, second, ow.next())
}

// testClaimFinish: a pending claim reports Pending, to its owner too; once
// finished, Done to everyone; a done name cannot be extended, finished or
// released.
func testClaimFinish(t *testing.T, c backend.Claims, _ Options) {
	ow, name, a := claimFirst(t, c, "claim-finish", time.Minute)
	b := ow.next()
	claim(t, c, name, b, time.Minute, backend.Pending)
	claim(t, c, name, a, time.Minute, backend.Pending) // its own claim is not free
	extend(t, c, name, b, time.Minute, backend.ErrClaimLost)
	finish(t, c, name, b, time.Minute, backend.ErrClaimLost) // not b's: changes nothing
	claim(t, c, name, b, time.Minute, backend.Pending)
	finishDone(t, c, name, a, b)
	claim(t, c, name, a, time.Minute, backend.Done)
	extend(t, c, name, a, time.Minute, backend.ErrClaimLost)
	finish(t, c, name, a, time.Minute, backend.ErrClaimLost)
	release(t, c, name, a) // not pending any more: does nothing
	claim(t, c, name, ow.next(), time.Minute, backend.Done)
}

// testClaimRelease: a released name can be claimed again at once; a
// Release by anyone but the owner does nothing; Release, Extend and Finish
// of a name never claimed are harmless.
func testClaimRelease(t *testing.T, c backend.Claims, _ Options) {
	ow := newOwners()
	name := uniqueName("claim-release")
	a, b, x := ow.next(), ow.next(), ow.next()
	release(t, c, name, a) // never claimed
	extend(t, c, name, a, time.Minute, backend.ErrClaimLost)
	finish(t, c, name, a, time.Minute, backend.ErrClaimLost)
	claim(t, c, name, a, time.Minute, backend.Claimed)
	release(t, c, name, x) // not x's claim
	claim(t, c, name, x, time.Minute, backend.Pending)
	release(t, c, name, a)
	extend(t, c, name, a, time.Minute, backend.ErrClaimLost)
	finish(t, c, name, a, time.Minute, backend.ErrClaimLost)
	claim(t, c, name, b, time.Minute, backend.Claimed)
	release(t, c, name, a) // a released before: must not free b's claim
	claim(t, c, name, x, time.Minute, backend.Pending)
	finishDone(t, c, name, b, x)
}

// testClaimLeaseExpiry: a claim whose owner stops extending it lapses when
// its lease passes; exactly one of many then takes it, and the old owner
// can neither finish, extend nor release the new owner's claim.
func testClaimLeaseExpiry(t *testing.T, c backend.Claims, o Options) {
	ow, name, old := claimFirst(t, c, "claim-lease", time.Second)
	time.Sleep(500 * time.Millisecond)
	claim(t, c, name, ow.next(), time.Second, backend.Pending) // does not extend the lease
	time.Sleep(time.Second)
	fresh := claimRace(t, c, ow, name, time.Minute)
	finish(t, c, name, old, time.Minute, backend.ErrClaimLost)
	extend(t, c, name, old, time.Minute, backend.ErrClaimLost)
	release(t, c, name, old)
	claim(t, c, name, ow.next(), time.Minute, backend.Pending) // still fresh's
	extend(t, c, name, fresh, time.Minute, nil)
	finishDone(t, c, name, fresh, old)
}

// testClaimExtend: Extend renews the lease from now, so a claim extended
// in time outlives its first lease; once extending stops, it lapses.
func testClaimExtend(t *testing.T, c backend.Claims, o Options) {
	ow, name, a := claimFirst(t, c, "claim-extend", time.Second)
	for range 2 {
		time.Sleep(500 * time.Millisecond)
		extend(t, c, name, a, time.Second, nil)
	}
	time.Sleep(500 * time.Millisecond) // 1.5 s after the claim, 0.5 s after the last Extend
	claim(t, c, name, ow.next(), time.Minute, backend.Pending)
	extend(t, c, name, a, time.Second, nil)
	time.Sleep(1500 * time.Millisecond)
	extend(t, c, name, a, time.Second, backend.ErrClaimLost) // too late: lapsed
	b := ow.next()
	claim(t, c, name, b, time.Minute, backend.Claimed)
	finish(t, c, name, a, time.Minute, backend.ErrClaimLost)
	finish(t, c, name, b, time.Minute, nil)
}

// testClaimDoneExpiry: a done mark keeps the name Done for its ttl, then
// the name can be claimed again; another name's longer mark stays.
func testClaimDoneExpiry(t *testing.T, c backend.Claims, o Options) {
	ow := newOwners()
	short, long := uniqueName("claim-done-short"), uniqueName("claim-done-long")
	a, b := ow.next(), ow.next()
	claim(t, c, short, a, time.Minute, backend.Claimed)
	claim(t, c, long, b, time.Minute, backend.Claimed)
	finish(t, c, short, a, time.Second, nil)
	finish(t, c, long, b, time.Minute, nil)
	time.Sleep(500 * time.Millisecond)
	claim(t, c, short, ow.next(), time.Minute, backend.Done)
	time.Sleep(time.Second)
	again := claimRace(t, c, ow, short, time.Minute)
	claim(t, c, long, ow.next(), time.Minute, backend.Done)
	finish(t, c, short, a, time.Minute, backend.ErrClaimLost) // the first round's owner
	finishDone(t, c, short, again, ow.next())
}

// testClaimNames: claims of different names, prefixes of each other
// included, do not interfere.
func testClaimNames(t *testing.T, c backend.Claims, _ Options) {
	ow := newOwners()
	a, b := uniqueName("claim-a"), uniqueName("claim-b")
	owner := ow.next()
	claim(t, c, a, owner, time.Minute, backend.Claimed)
	claim(t, c, b, owner, time.Minute, backend.Claimed) // one owner, two names
	claim(t, c, a+"x", ow.next(), time.Minute, backend.Claimed)
	finish(t, c, a, owner, time.Minute, nil)
	claim(t, c, b, ow.next(), time.Minute, backend.Pending)
	claim(t, c, a+"x", ow.next(), time.Minute, backend.Pending)
	release(t, c, b, owner)
	claim(t, c, a, ow.next(), time.Minute, backend.Done)
	claim(t, c, b, ow.next(), time.Minute, backend.Claimed)
}

// testClaimBadInput: an empty name or owner and a non-positive lease or
// ttl are errors (not backend.ErrClaimLost), and change nothing.
func testClaimBadInput(t *testing.T, c backend.Claims, _ Options) {
	ctx := testkit.Context(t)
	ow := newOwners()
	name := uniqueName("claim-bad")
	owner := ow.next()
	bad := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		if errors.Is(err, backend.ErrClaimLost) {
			t.Fatalf("%s: %v; want an input error, not backend.ErrClaimLost", what, err)
		}
	}
	type input struct {
		what  string
		name  string
		owner string
		d     time.Duration
	}
	// inputs are the bad arguments of a call whose duration is called dur.
	inputs := func(dur string) []input {
		return []input{
			{"an empty name", "", owner, time.Minute},
			{"an empty owner", name, "", time.Minute},
			{"a zero " + dur, name, owner, 0},
			{"a negative " + dur, name, owner, -time.Second},
		}
	}
	for _, tc := range inputs("lease") {
		if st, err := c.Claim(ctx, tc.name, tc.owner, tc.d); err == nil {
			t.Fatalf("Claim with %s = %v, no error", tc.what, st)
		} else {
			bad("Claim with "+tc.what, err)
		}
	}
	claim(t, c, name, owner, time.Minute, backend.Claimed) // the bad calls took nothing
	for _, tc := range inputs("duration") {
		bad("Extend with "+tc.what, c.Extend(ctx, tc.name, tc.owner, tc.d))
		bad("Finish with "+tc.what, c.Finish(ctx, tc.name, tc.owner, tc.d))
	}
	bad("Release with an empty name", c.Release(ctx, "", owner))
	bad("Release with an empty owner", c.Release(ctx, name, ""))
	claim(t, c, name, ow.next(), time.Minute, backend.Pending) // still owner's, unfinished
	finishDone(t, c, name, owner, ow.next())
}
