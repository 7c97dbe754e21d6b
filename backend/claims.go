package backend

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ClaimStatus is the outcome of Claims.Claim.
type ClaimStatus int

const (
	// Claimed: the caller now holds the name, pending, for the lease.
	Claimed ClaimStatus = iota + 1
	// Pending: another owner holds the name and its lease has not passed.
	Pending
	// Done: the name was finished (Finish) and its done mark has not
	// expired.
	Done
)

// String returns "claimed", "pending" or "done".
func (s ClaimStatus) String() string {
	switch s {
	case Claimed:
		return "claimed"
	case Pending:
		return "pending"
	case Done:
		return "done"
	default:
		return "ClaimStatus(?)"
	}
}

// Claims is a two-phase once-store: a name is first claimed (pending, with
// a lease that its owner extends while it works), then finished (done, for
// a time to live) or released. A claim whose owner died lapses when its
// lease passes, so the work is taken up again; a finished name is never
// claimed again until its done mark expires. It is the primitive behind
// update de-duplication (claim "update 123" at admission) and Context.Once.
//
// owner identifies one claim attempt (a random string, unique per call);
// only that owner may extend, finish or release its claim. Implementations
// are safe for concurrent use by many goroutines and, for shared backends,
// many processes. The backendtest package holds the contract tests.
type Claims interface {
	// Claim takes name for owner for lease if it is free: never claimed,
	// released, its lease passed, or its done mark expired. Otherwise it
	// reports Pending or Done and changes nothing. Exactly one of many
	// concurrent callers gets Claimed.
	Claim(ctx context.Context, name, owner string, lease time.Duration) (ClaimStatus, error)
	// Extend renews owner's pending claim for another lease from now. It
	// returns ErrClaimLost if name is not pending for owner any more.
	Extend(ctx context.Context, name, owner string, lease time.Duration) error
	// Finish turns owner's pending claim into a done mark kept for ttl.
	// It returns ErrClaimLost, changing nothing, if name is not pending
	// for owner (its lease passed and someone else claimed it, or it was
	// released).
	Finish(ctx context.Context, name, owner string, ttl time.Duration) error
	// Release frees owner's pending claim so that the name can be claimed
	// again at once. Releasing a claim that is not pending for owner does
	// nothing and returns nil.
	Release(ctx context.Context, name, owner string) error
}

// ErrClaimLost is returned by Claims.Extend and Claims.Finish when the
// claim is no longer pending for the caller.
var ErrClaimLost = errors.New("backend: claim lost")

// CheckClaim returns the error for arguments that every Claims method
// rejects: an empty name or owner, or a non-positive lease or ttl d
// (Release, which has no duration, passes a positive one). The error does
// not wrap ErrClaimLost; implementations wrap it with their operation and
// name.
func CheckClaim(name, owner string, d time.Duration) error {
	switch {
	case name == "":
		return errors.New("empty name")
	case owner == "":
		return errors.New("empty owner")
	case d <= 0:
		return fmt.Errorf("lease or ttl must be positive, got %v", d)
	}
	return nil
}
