package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend"
)

// reclaimBatch is the COUNT of one XAUTOCLAIM.
const reclaimBatch = 500

// Read delivers new entries with XREADGROUP ... > in a script that reads
// the partitions' streams one after the other, starting with a different
// one on each call, until it has max entries: a single XREADGROUP over
// several streams would take up to max from each. When it finds nothing
// and wait is positive it waits with a blocking XREAD (which consumes
// nothing) for an entry after the last one each stream held, then reads
// again. A ctx that ends returns at once: the abandoned XREAD delivered
// nothing to anyone. Before reading new entries from a stream, the script
// returns owner's pending entries there after the last one this Journal
// handed owner (see handed): those of a reply that was lost.
func (j *Journal) Read(ctx context.Context, owner string, ps []int, max int, wait time.Duration) ([]backend.JournalEntry, error) {
	if err := backend.CheckJournalRead(owner, ps, max, j.n); err != nil {
		return nil, journalError("read", err)
	}
	if err := j.check(ctx); err != nil {
		return nil, journalError("read", err)
	}
	deadline := time.Now().Add(wait)
	order := make([]int, len(ps))
	keys := make([]string, len(ps))
	start := j.turn.Add(1)
	for i := range ps {
		p := ps[(int(start%uint32(len(ps)))+i)%len(ps)]
		order[i], keys[i] = p, j.streams[p]
	}
	for {
		out, last, err := j.readOnce(ctx, keys, order, owner, max)
		j.handed.note(owner, j.n, out)
		if err != nil || len(out) > 0 {
			return out, err
		}
		d := time.Until(deadline)
		if end, ok := ctx.Deadline(); ok {
			d = min(d, time.Until(end)-20*time.Millisecond)
		}
		if d < time.Millisecond || len(keys) == 0 {
			return nil, nil
		}
		if err := j.await(ctx, keys, last, d); err != nil {
			return nil, journalError("read", err)
		}
	}
}

// readOnce runs the read script on keys (the streams of partitions
// order). It returns what it delivered or, when nothing, the id after
// which to wait on each stream.
func (j *Journal) readOnce(ctx context.Context, keys []string, order []int, owner string, max int) ([]backend.JournalEntry, []string, error) {
	if len(keys) == 0 {
		return nil, nil, nil
	}
	args := []any{journalGroup, owner, max}
	for _, id := range j.handed.ids(owner, order) {
		args = append(args, id)
	}
	v, err := journalReadScript.Run(ctx, j.client, keys, args...).Slice()
	if err != nil {
		return nil, nil, journalError("read", err)
	}
	if len(v) != 2 {
		return nil, nil, journalError("read", fmt.Errorf("malformed script reply %v", v))
	}
	list, _ := v[1].([]any)
	if found, _ := v[0].(int64); found == 0 {
		last := make([]string, len(list))
		for i, id := range list {
			last[i], _ = id.(string)
		}
		return nil, last, nil
	}
	var out []backend.JournalEntry
	for i := 0; i+1 < len(list); i += 2 {
		si, _ := list[i].(int64)
		msgs, _ := list[i+1].([]any)
		if si < 1 || int(si) > len(order) {
			return out, nil, journalError("read", fmt.Errorf("malformed script reply %v", v))
		}
		for _, m := range msgs {
			e, err := decodeMessage(m, order[si-1])
			if err != nil {
				return out, nil, journalError("read", err)
			}
			e.Deliveries = 1
			out = append(out, e)
		}
	}
	return out, nil, nil
}

// decodeMessage decodes a stream entry of a script's reply, {id, fields}.
func decodeMessage(m any, p int) (backend.JournalEntry, error) {
	pair, _ := m.([]any)
	if len(pair) != 2 {
		return backend.JournalEntry{}, fmt.Errorf("malformed stream entry %v", m)
	}
	id, _ := pair[0].(string)
	f, err := flatFields(pair[1])
	if err != nil {
		return backend.JournalEntry{}, err
	}
	return f.entry(id, p)
}

// await blocks in XREAD until an entry after last[i] is in keys[i], or d
// passed, or ctx ended.
func (j *Journal) await(ctx context.Context, keys, last []string, d time.Duration) error {
	args := &goredis.XReadArgs{Streams: append(append([]string(nil), keys...), last...), Count: 1, Block: d}
	if ctx.Done() == nil {
		return ignoreNil(j.client.XRead(ctx, args).Err())
	}
	done := make(chan error, 1)
	go func() { done <- ignoreNil(j.client.XRead(ctx, args).Err()) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ignoreNil turns redis.Nil (no reply: a wait that timed out) into nil.
func ignoreNil(err error) error {
	if errors.Is(err, goredis.Nil) {
		return nil
	}
	return err
}

// Reclaim takes over p's pending entries, reclaimBatch at a time, with
// the reclaim script (XAUTOCLAIM with min-idle 0, XPENDING for the
// delivery counts, the dead stream for a key's oldest entry delivered
// maxDeliveries times already; only that entry counts a delivery). A
// missing group is created and has nothing pending.
func (j *Journal) Reclaim(ctx context.Context, p int, owner string, maxDeliveries int) ([]backend.JournalEntry, error) {
	if err := j.checkOwner(p, owner); err != nil {
		return nil, journalError("reclaim", err)
	}
	if err := j.check(ctx); err != nil {
		return nil, journalError("reclaim", err)
	}
	keys := []string{j.streams[p], j.dead}
	var out []backend.JournalEntry
	var charged []any // keys whose oldest entry a batch counted
	for cursor := "0-0"; ; {
		args := append([]any{journalGroup, owner, cursor, reclaimBatch, max(maxDeliveries, 0), p}, charged...)
		v, err := journalReclaimScript.Run(ctx, j.client, keys, args...).Slice()
		if err != nil {
			return out, journalError("reclaim", err)
		}
		if len(v) != 4 {
			return out, journalError("reclaim", fmt.Errorf("malformed script reply %v", v))
		}
		cursor, _ = v[0].(string)
		fresh, _ := v[3].([]any)
		charged = append(charged, fresh...)
		list, _ := v[1].([]any)
		for i := 0; i+2 < len(list); i += 3 {
			e, err := decodeMessage([]any{list[i], list[i+2]}, p)
			if err != nil {
				return out, journalError("reclaim", err)
			}
			d, _ := list[i+1].(int64)
			e.Deliveries = int(d)
			out = append(out, e)
		}
		if cursor == "0-0" || cursor == "" {
			j.handed.reset(owner, j.n, p, out)
			return out, nil
		}
	}
}
