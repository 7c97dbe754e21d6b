package redis

import (
	"context"
	"fmt"
	"strconv"

	"github.com/heraldbot/herald/backend"
)

// Ack acknowledges and deletes the entries (XACK and XDEL), all in one
// script. Refs naming no partition or no stream id are skipped.
func (j *Journal) Ack(ctx context.Context, refs ...backend.JournalRef) error {
	byPart := make(map[int][]any)
	var keys []string
	var parts []int
	for _, r := range refs {
		if backend.CheckPartition(r.Partition, j.n) != nil || !validID(r.ID) {
			continue
		}
		if byPart[r.Partition] == nil {
			keys = append(keys, j.streams[r.Partition])
			parts = append(parts, r.Partition)
		}
		byPart[r.Partition] = append(byPart[r.Partition], r.ID)
	}
	if len(keys) == 0 {
		return nil
	}
	if err := j.check(ctx); err != nil {
		return journalError("ack", err)
	}
	args := make([]any, 1, 1+len(keys)+len(refs))
	args[0] = journalGroup
	for _, p := range parts {
		args = append(args, len(byPart[p]))
		args = append(args, byPart[p]...)
	}
	if err := journalAckScript.Run(ctx, j.client, keys, args...).Err(); err != nil {
		return journalError("ack", err)
	}
	return nil
}

// Bury moves the entry to the dead stream with reason, acknowledging and
// deleting it, in one script. An entry that is not there is skipped.
func (j *Journal) Bury(ctx context.Context, ref backend.JournalRef, reason string) error {
	if err := backend.CheckPartition(ref.Partition, j.n); err != nil {
		return journalError("bury", err)
	}
	if !validID(ref.ID) {
		return nil
	}
	if err := j.check(ctx); err != nil {
		return journalError("bury", err)
	}
	keys := []string{j.streams[ref.Partition], j.dead}
	if err := journalBuryScript.Run(ctx, j.client, keys, journalGroup, ref.ID, ref.Partition, reason).Err(); err != nil {
		return journalError("bury", err)
	}
	return nil
}

// DeadLetters reads the first max entries of the dead stream.
func (j *Journal) DeadLetters(ctx context.Context, max int) ([]backend.DeadLetter, error) {
	if max <= 0 {
		return nil, nil
	}
	if err := j.check(ctx); err != nil {
		return nil, journalError("dead letters", err)
	}
	msgs, err := j.client.XRangeN(ctx, j.dead, "-", "+", int64(max)).Result()
	if err != nil {
		return nil, journalError("dead letters", err)
	}
	out := make([]backend.DeadLetter, 0, len(msgs))
	for _, m := range msgs {
		f := make(entryFields, len(m.Values))
		for k, v := range m.Values {
			f[k], _ = v.(string)
		}
		p, _ := strconv.Atoi(f["partition"])
		e, err := f.entry(f["entry"], p)
		if err != nil {
			return out, journalError("dead letters", fmt.Errorf("dead letter %s: %w", m.ID, err))
		}
		e.Deliveries, _ = strconv.Atoi(f["deliveries"])
		died, err := idTime(m.ID)
		if err != nil {
			return out, journalError("dead letters", err)
		}
		out = append(out, backend.DeadLetter{ID: m.ID, Entry: e, Reason: f["reason"], Died: died})
	}
	return out, nil
}

// Requeue appends the dead letters ids to their partitions again and
// deletes them from the dead stream, in one script.
func (j *Journal) Requeue(ctx context.Context, ids ...string) (int, error) {
	args := make([]any, 0, len(ids))
	for _, id := range ids {
		if validID(id) {
			args = append(args, id)
		}
	}
	if len(args) == 0 {
		return 0, nil
	}
	if err := j.check(ctx); err != nil {
		return 0, journalError("requeue", err)
	}
	n, err := journalRequeueScript.Run(ctx, j.client, append([]string{j.dead}, j.streams...), args...).Int()
	if err != nil {
		return 0, journalError("requeue", err)
	}
	return n, nil
}
