package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend"
)

// journalGroup is the consumer group of every partition stream.
const journalGroup = "workers"

// Journal is the Store's backend.Journal, on Redis Streams: one stream
// per partition with one consumer group, whose consumers are the owners,
// a lease key per partition and a dead-letter stream (see the package
// documentation). Get it with Store.Journal; every Store with the same
// prefix and bot id shares it.
type Journal struct {
	client  goredis.UniversalClient
	n       int
	meta    string   // partition count
	streams []string // by partition
	leases  []string // by partition
	dead    string   // dead letters
	seen    string   // prefix of the de-duplication keys
	workers string   // the workers alive (Announce)
	checked atomic.Bool
	turn    atomic.Uint32 // rotates the partition Read starts with
	handed  handed        // what Read and Reclaim returned, per owner
}

var _ backend.Journal = (*Journal)(nil)

// newJournal returns the journal under base ("<prefix>:{<bot>}:").
func newJournal(client goredis.UniversalClient, base string, partitions int) *Journal {
	if partitions <= 0 {
		partitions = backend.DefaultPartitions
	}
	pre := base + "journal:"
	j := &Journal{client: client, n: partitions, meta: pre + "partitions", dead: pre + "dead", seen: pre + "seen:",
		workers: pre + "workers",
		streams: make([]string, partitions), leases: make([]string, partitions)}
	for p := range partitions {
		j.streams[p] = pre + "p:" + strconv.Itoa(p)
		j.leases[p] = pre + "lease:" + strconv.Itoa(p)
	}
	return j
}

// Journal returns the Store's journal, durable as far as the Redis server
// keeps its data (see the package documentation); it is the same value on
// every call.
func (s *Store) Journal() backend.Journal { return s.journal }

// Partitions returns the number of partitions (Options.JournalPartitions).
func (j *Journal) Partitions() int { return j.n }

// journalError wraps err from the journal operation op.
func journalError(op string, err error) error {
	return fmt.Errorf("backend/redis: journal %s: %w", op, err)
}

// check records the partition count the first time and fails with
// backend.ErrPartitions when the journal was created with another one.
// Once it succeeded it costs nothing.
func (j *Journal) check(ctx context.Context) error {
	if j.checked.Load() {
		return nil
	}
	want := strconv.Itoa(j.n)
	got, err := j.client.SetArgs(ctx, j.meta, want, goredis.SetArgs{Mode: "NX", Get: true}).Result()
	switch {
	case errors.Is(err, goredis.Nil): // set now
	case err != nil:
		return err
	case got != want:
		return fmt.Errorf("%w: %s holds %s, this Store has %d", backend.ErrPartitions, j.meta, got, j.n)
	}
	j.checked.Store(true)
	return nil
}

// Own takes or renews owner's lease on p, a key holding owner that
// expires with the lease on the server's clock.
func (j *Journal) Own(ctx context.Context, p int, owner string, lease time.Duration) (bool, error) {
	if err := j.checkOwner(p, owner); err != nil {
		return false, journalError("own", err)
	}
	if lease <= 0 {
		return false, journalError("own", fmt.Errorf("lease must be positive, got %v", lease))
	}
	if err := j.check(ctx); err != nil {
		return false, journalError("own", err)
	}
	n, err := journalOwnScript.Run(ctx, j.client, []string{j.leases[p]}, owner, millis(lease)).Int64()
	if err != nil {
		return false, journalError("own", err)
	}
	return n == 1, nil
}

// Disown deletes p's lease key if owner holds it.
func (j *Journal) Disown(ctx context.Context, p int, owner string) error {
	if err := j.checkOwner(p, owner); err != nil {
		return journalError("disown", err)
	}
	if err := j.check(ctx); err != nil {
		return journalError("disown", err)
	}
	if err := releaseScript.Run(ctx, j.client, []string{j.leases[p]}, owner).Err(); err != nil {
		return journalError("disown", err)
	}
	return nil
}

func (j *Journal) checkOwner(p int, owner string) error {
	if owner == "" {
		return errors.New("empty owner")
	}
	return backend.CheckPartition(p, j.n)
}

// Len sums the lengths of the partition streams: acknowledged entries
// are deleted from them, so what they hold is waiting or pending.
func (j *Journal) Len(ctx context.Context) (int64, error) {
	if err := j.check(ctx); err != nil {
		return 0, journalError("len", err)
	}
	pipe := j.client.Pipeline()
	lens := make([]*goredis.IntCmd, j.n)
	for p, k := range j.streams {
		lens[p] = pipe.XLen(ctx, k)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, journalError("len", err)
	}
	var n int64
	for _, c := range lens {
		n += c.Val()
	}
	return n, nil
}

// Stats reads every partition's length, pending count, oldest entry and
// lease, and the dead stream's length, in one pipeline.
func (j *Journal) Stats(ctx context.Context) (backend.JournalStats, error) {
	if err := j.check(ctx); err != nil {
		return backend.JournalStats{}, journalError("stats", err)
	}
	pipe := j.client.Pipeline()
	cmds := make([]partCmds, j.n)
	for p, k := range j.streams {
		cmds[p] = partCmds{pipe.XLen(ctx, k), pipe.XPending(ctx, k, journalGroup),
			pipe.XRangeN(ctx, k, "-", "+", 1), pipe.Get(ctx, j.leases[p])}
	}
	dead := pipe.XLen(ctx, j.dead)
	pipe.Exec(ctx) // the errors are the commands'
	st := backend.JournalStats{DeadLetters: dead.Val()}
	if err := dead.Err(); err != nil {
		return st, journalError("stats", err)
	}
	for p, c := range cmds {
		ps, err := c.stats(p)
		if err != nil {
			return st, journalError("stats", err)
		}
		st.Partitions = append(st.Partitions, ps)
	}
	return st, nil
}

// partCmds are the pipelined commands that describe one partition.
type partCmds struct {
	length  *goredis.IntCmd
	pending *goredis.XPendingCmd
	first   *goredis.XMessageSliceCmd
	owner   *goredis.StringCmd
}

// stats reads the replies of partition p's commands. A missing group has
// nothing pending; a missing lease key, no owner.
func (c partCmds) stats(p int) (backend.PartitionStats, error) {
	ps := backend.PartitionStats{Partition: p, Length: c.length.Val()}
	if err := c.length.Err(); err != nil {
		return ps, err
	}
	if pending, err := c.pending.Result(); err == nil {
		ps.Pending = pending.Count
	} else if !isNoGroup(err) {
		return ps, err
	}
	first, err := c.first.Result()
	if err != nil {
		return ps, err
	}
	if len(first) > 0 {
		if ps.Oldest, err = idTime(first[0].ID); err != nil {
			return ps, err
		}
	}
	if ps.Owner, err = c.owner.Result(); err != nil && !errors.Is(err, goredis.Nil) {
		return ps, err
	}
	return ps, nil
}

// isNoGroup reports whether err is Redis' NOGROUP error: the stream or
// its consumer group does not exist.
func isNoGroup(err error) bool {
	rerr, ok := errors.AsType[goredis.Error](err)
	return ok && strings.HasPrefix(rerr.Error(), "NOGROUP")
}
