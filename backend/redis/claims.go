package redis

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldbot/herald/backend"
	goredis "github.com/redis/go-redis/v9"
)

// A claim is one key, "<prefix>:{<bot>}:claim:<name>", holding
// "p:<owner>" with the lease as its expiry while pending, and "d" with the
// done mark's ttl once finished. Every operation is one script, so one
// round trip, and atomic across the processes sharing the Redis.

// claimDone is the value of a finished claim; pending values start with
// "p:", so no owner string can be mistaken for it.
const claimDone = "d"

// claimScript takes a free name or reports who has it.
//
//	KEYS[1]  claim key  ARGV[1]  "p:<owner>"  ARGV[2]  lease in milliseconds
//
// Returns 1 (claimed), 2 (pending) or 3 (done), the values of
// backend.ClaimStatus.
var claimScript = goredis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == 'd' then return 3 end
return 2
`)

// finishScript turns owner's pending claim into the done mark.
//
//	KEYS[1]  claim key  ARGV[1]  "p:<owner>"  ARGV[2]  ttl in milliseconds
//
// Returns 1 when finished, 0 when the claim is not pending for owner.
var finishScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], 'd', 'PX', ARGV[2])
  return 1
end
return 0
`)

// Extend and Release use the lock scripts (locker.go), which do the same
// to a key holding an owner string: extendScript renews it with PEXPIRE,
// releaseScript deletes it.

// Claim takes name for owner for lease if it is free (never claimed,
// released, its lease passed or its done mark expired) and reports
// backend.Claimed; otherwise it reports backend.Pending or backend.Done and changes
// nothing. It is one SET NX PX in a script that also reads the status, so
// exactly one of many concurrent callers, in any number of processes
// sharing the Redis, gets backend.Claimed.
func (s *Store) Claim(ctx context.Context, name, owner string, lease time.Duration) (backend.ClaimStatus, error) {
	k := s.nameKey("claim", name)
	if err := checkClaim("claim", k, name, owner, lease); err != nil {
		return 0, err
	}
	n, err := claimScript.Run(ctx, s.client, []string{k}, "p:"+owner, millis(lease)).Int64()
	if err != nil {
		return 0, opError("claim", k, err)
	}
	switch st := backend.ClaimStatus(n); st {
	case backend.Claimed, backend.Pending, backend.Done:
		return st, nil
	default:
		return 0, opError("claim", k, fmt.Errorf("unexpected script result %d", n))
	}
}

// Extend renews owner's pending claim of name for lease from now, or
// returns an error wrapping backend.ErrClaimLost.
func (s *Store) Extend(ctx context.Context, name, owner string, lease time.Duration) error {
	k := s.nameKey("claim", name)
	if err := checkClaim("extend claim", k, name, owner, lease); err != nil {
		return err
	}
	return claimResult("extend claim", k, extendScript.Run(ctx, s.client, []string{k}, "p:"+owner, millis(lease)))
}

// Finish turns owner's pending claim of name into a done mark kept for
// ttl, or returns an error wrapping backend.ErrClaimLost.
func (s *Store) Finish(ctx context.Context, name, owner string, ttl time.Duration) error {
	k := s.nameKey("claim", name)
	if err := checkClaim("finish claim", k, name, owner, ttl); err != nil {
		return err
	}
	return claimResult("finish claim", k, finishScript.Run(ctx, s.client, []string{k}, "p:"+owner, millis(ttl)))
}

// claimResult maps a script's reply of 1 to success and 0 to
// backend.ErrClaimLost.
func claimResult(op, k string, cmd *goredis.Cmd) error {
	n, err := cmd.Int64()
	switch {
	case err != nil:
		return opError(op, k, err)
	case n == 0:
		return opError(op, k, backend.ErrClaimLost)
	}
	return nil
}

// Release frees owner's pending claim of name so that it can be claimed
// again at once. It does nothing if name is not pending for owner.
func (s *Store) Release(ctx context.Context, name, owner string) error {
	k := s.nameKey("claim", name)
	if err := checkClaim("release claim", k, name, owner, time.Nanosecond); err != nil {
		return err
	}
	if err := releaseScript.Run(ctx, s.client, []string{k}, "p:"+owner).Err(); err != nil {
		return opError("release claim", k, err)
	}
	return nil
}

// checkClaim rejects an empty name or owner and a non-positive duration
// (backend.CheckClaim).
func checkClaim(op, key, name, owner string, d time.Duration) error {
	if err := backend.CheckClaim(name, owner, d); err != nil {
		return opError(op, key, err)
	}
	return nil
}
