package backend

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Journal is the durable queue between the receivers of a bot (long
// polling, webhooks) and its workers. A receiver appends each update and
// only then confirms it to Telegram; a worker owns some of the journal's
// partitions, reads their entries, handles them and acknowledges each one
// after its handler finished. An entry delivered to a worker that died, or
// gave its partition up, before acknowledging it is delivered again to the
// partition's next owner, before anything newer of that partition; one
// delivered too often goes to the dead letters.
//
// Entries are partitioned by their Key (the chat), with PartitionOf, so a
// chat's updates stay in one partition, in the order they were appended.
// Every method is safe for concurrent use by many goroutines and, for a
// shared engine, many processes. The backendtest package holds the
// contract tests.
type Journal interface {
	// JournalWorkers keeps the membership the workers split the
	// partitions by.
	JournalWorkers

	// Partitions is the number of partitions, fixed when the journal was
	// created.
	Partitions() int

	// Append adds entries, all or none, in their order. An entry whose
	// UpdateID is positive and was appended before (within
	// JournalDedupTTL, acknowledged or not) is skipped: de-duplication
	// happens here, at insertion. It returns how many entries were added.
	// Append sets nothing in the caller's slice.
	Append(ctx context.Context, entries []JournalEntry) (added int, err error)

	// Own takes, or renews, owner's lease on partition p for lease. It
	// reports false, changing nothing, while another owner's lease runs.
	Own(ctx context.Context, p int, owner string, lease time.Duration) (bool, error)
	// Disown ends owner's lease on p at once, so that another owner can
	// take the partition over (a graceful hand-over). Disowning a
	// partition owner does not hold does nothing.
	Disown(ctx context.Context, p int, owner string) error

	// Reclaim hands owner, oldest first, the entries of partition p that
	// were delivered before but not acknowledged (to a previous owner, or
	// to owner itself earlier). It counts one more delivery for the oldest
	// such entry of each Key only: a key's entries are handled one at a
	// time, in order, so only that one may have been running when its
	// owner went away, and the others, read ahead but never started, must
	// not pile up deliveries through a series of crashes. That oldest
	// entry, if already delivered maxDeliveries times, goes to the dead
	// letters instead of being returned (the key's next entry is not
	// counted by the same call). Call it when owner starts owning p, before
	// Read includes p.
	Reclaim(ctx context.Context, p int, owner string, maxDeliveries int) ([]JournalEntry, error)
	// Read hands owner up to max entries never delivered before, from the
	// partitions ps, in order within each partition. When none is there it
	// waits up to wait for one to be appended (or ctx to end) and returns
	// what it found, possibly nothing.
	Read(ctx context.Context, owner string, ps []int, max int, wait time.Duration) ([]JournalEntry, error)
	// Ack removes delivered entries from the journal: they were handled.
	// Acknowledging an entry that is not there any more does nothing.
	Ack(ctx context.Context, refs ...JournalRef) error
	// Bury moves a delivered entry to the dead letters at once, with the
	// reason (an entry a worker cannot decode, say).
	Bury(ctx context.Context, ref JournalRef, reason string) error

	// Len is the number of entries appended and not acknowledged, over all
	// partitions: what receivers bound (backpressure).
	Len(ctx context.Context) (int64, error)
	// Stats describes each partition and counts the dead letters.
	Stats(ctx context.Context) (JournalStats, error)
	// DeadLetters lists up to max dead letters, oldest first.
	DeadLetters(ctx context.Context, max int) ([]DeadLetter, error)
	// Requeue appends the dead letters with the given ids again, as new
	// entries (their delivery count starts over), and removes them from
	// the dead letters. Unknown ids are skipped; it returns how many were
	// requeued.
	Requeue(ctx context.Context, ids ...string) (int, error)
}

// JournalDedupTTL is how long a journal remembers the update ids it was
// given, to skip copies: Telegram keeps undelivered updates for 24 hours.
const JournalDedupTTL = 24 * time.Hour

// JournalEntry is one update in a journal.
type JournalEntry struct {
	// ID identifies the entry in its partition and orders it there; the
	// journal assigns it at Append.
	ID string
	// Partition is PartitionOf(Key, Partitions()), set by the journal.
	Partition int
	// UpdateID is Telegram's update_id (0 or negative: not de-duplicated).
	UpdateID int64
	// Key orders the entry: entries with one key are handled one at a
	// time, in journal order (the chat id, see herald.UpdateKey).
	Key int64
	// Update is the update as JSON, as received.
	Update []byte
	// Meta carries what follows the update from receiver to worker: trace
	// context, the receive time, anything a hook adds. Keys and values are
	// short strings.
	Meta map[string]string
	// Appended is when the journal took the entry, on its own clock.
	Appended time.Time
	// Deliveries counts the times the entry was handed to a worker,
	// including this one; set by Read and Reclaim.
	Deliveries int
}

// Ref returns the reference that acknowledges e.
func (e *JournalEntry) Ref() JournalRef { return JournalRef{Partition: e.Partition, ID: e.ID} }

// JournalRef names one delivered entry.
type JournalRef struct {
	Partition int
	ID        string
}

// JournalStats describes a journal.
type JournalStats struct {
	Partitions []PartitionStats
	// DeadLetters is the number of dead letters.
	DeadLetters int64
}

// PartitionStats describes one partition.
type PartitionStats struct {
	Partition int
	// Length counts the entries not acknowledged: waiting and pending.
	Length int64
	// Pending counts the entries delivered and not acknowledged yet.
	Pending int64
	// Oldest is when the oldest entry not acknowledged was appended (zero
	// when there is none): now minus Oldest is the partition's lag.
	Oldest time.Time
	// Owner is the holder of the partition's lease, "" when none runs.
	Owner string
}

// DeadLetter is an entry taken out of the journal: delivered too often
// without being acknowledged, or buried by a worker.
type DeadLetter struct {
	// ID identifies the dead letter (for Requeue); it is not the entry's.
	ID     string
	Entry  JournalEntry
	Reason string
	Died   time.Time
}

// PartitionOf maps a key to one of n partitions, the same way in every
// process and engine: keys spread evenly, and negative keys (group chats)
// work like positive ones.
func PartitionOf(key int64, n int) int {
	if n <= 1 {
		return 0
	}
	// A 64-bit mix (splitmix64's finaliser), so that chat ids that share
	// low bits still spread.
	x := uint64(key)
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return int(x % uint64(n))
}

// DefaultPartitions is the number of partitions of a journal created
// without one: enough to spread a fleet of a dozen workers.
const DefaultPartitions = 16

// ErrPartitions is returned when a journal is opened with a partition count
// other than the one it was created with.
var ErrPartitions = errors.New("backend: journal partition count differs from the one it was created with")

// CheckJournalRead returns the error for Read arguments every journal
// rejects: an empty owner, a partition out of range, a non-positive max.
func CheckJournalRead(owner string, ps []int, max, partitions int) error {
	if owner == "" {
		return errors.New("empty owner")
	}
	if max <= 0 {
		return fmt.Errorf("max must be positive, got %d", max)
	}
	for _, p := range ps {
		if err := CheckPartition(p, partitions); err != nil {
			return err
		}
	}
	return nil
}

// CheckPartition returns an error if p is not a partition of a journal
// with n partitions.
func CheckPartition(p, n int) error {
	if p < 0 || p >= n {
		return fmt.Errorf("partition %d out of range [0, %d)", p, n)
	}
	return nil
}

// JournalWorkers is the membership side of a journal: workers announce
// themselves while they live, so that each can compute its fair share of
// the partitions (herald's journal workers split them by the sorted
// list).
type JournalWorkers interface {
	// Announce records that worker owner is alive for ttl from now; a ttl
	// of zero or less removes it at once (a worker leaving).
	Announce(ctx context.Context, owner string, ttl time.Duration) error
	// Workers lists the workers whose announcement has not run out,
	// sorted.
	Workers(ctx context.Context) ([]string, error)
}
