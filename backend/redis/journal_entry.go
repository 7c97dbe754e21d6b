package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald/backend"
)

// Append adds the batch with one script: for each entry with a positive
// update id a seen key is SET NX with backend.JournalDedupTTL, and the
// entry is added to its partition's stream only if that set it. The
// entry's ID is the stream entry's; Appended, its millisecond part.
func (j *Journal) Append(ctx context.Context, entries []backend.JournalEntry) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, journalError("append", err)
	}
	if len(entries) == 0 {
		return 0, nil
	}
	if err := j.check(ctx); err != nil {
		return 0, journalError("append", err)
	}
	var streams, seen []string
	index := make(map[int]int) // partition → position in streams, from 1
	args := make([]any, 2, 2+6*len(entries))
	for _, e := range entries {
		p := backend.PartitionOf(e.Key, j.n)
		si := index[p]
		if si == 0 {
			streams = append(streams, j.streams[p])
			si = len(streams)
			index[p] = si
		}
		ki := 0
		if e.UpdateID > 0 {
			seen = append(seen, j.seen+strconv.FormatInt(e.UpdateID, 10))
			ki = len(seen) // made absolute below
		}
		meta, err := encodeMeta(e.Meta)
		if err != nil {
			return 0, journalError("append", err)
		}
		args = append(args, si, ki, e.UpdateID, e.Key, e.Update, meta)
	}
	for a := 2 + 1; a < len(args); a += 6 {
		if ki := args[a].(int); ki > 0 {
			args[a] = ki + len(streams)
		}
	}
	args[0], args[1] = len(streams), millis(backend.JournalDedupTTL)
	n, err := journalAppendScript.Run(ctx, j.client, append(streams, seen...), args...).Int()
	if err != nil {
		return 0, journalError("append", err)
	}
	return n, nil
}

// encodeMeta encodes meta as a JSON object, "" when it is empty.
func encodeMeta(meta map[string]string) (string, error) {
	if len(meta) == 0 {
		return "", nil
	}
	b, err := json.Marshal(meta)
	return string(b), err
}

// entryFields are the fields of a stream entry.
type entryFields map[string]string

// flatFields reads the field/value array of a script's reply.
func flatFields(v any) (entryFields, error) {
	flat, ok := v.([]any)
	if !ok || len(flat)%2 != 0 {
		return nil, fmt.Errorf("malformed entry fields %v", v)
	}
	f := make(entryFields, len(flat)/2)
	for i := 0; i < len(flat); i += 2 {
		k, _ := flat[i].(string)
		v, _ := flat[i+1].(string)
		f[k] = v
	}
	return f, nil
}

// entry decodes the entry with id of partition p.
func (f entryFields) entry(id string, p int) (backend.JournalEntry, error) {
	e := backend.JournalEntry{ID: id, Partition: p, Update: []byte(f["update"])}
	var err error
	if e.UpdateID, err = strconv.ParseInt(f["update_id"], 10, 64); err != nil {
		return e, fmt.Errorf("entry %s: update_id: %w", id, err)
	}
	if e.Key, err = strconv.ParseInt(f["key"], 10, 64); err != nil {
		return e, fmt.Errorf("entry %s: key: %w", id, err)
	}
	if m := f["meta"]; m != "" {
		if err := json.Unmarshal([]byte(m), &e.Meta); err != nil {
			return e, fmt.Errorf("entry %s: meta: %w", id, err)
		}
	}
	if e.Appended, err = idTime(id); err != nil {
		return e, err
	}
	return e, nil
}

// idTime returns the time in a stream id, its millisecond part.
func idTime(id string) (time.Time, error) {
	ms, _, ok := strings.Cut(id, "-")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil {
		return time.Time{}, fmt.Errorf("malformed stream id %q", id)
	}
	return time.UnixMilli(n), nil
}

// validID reports whether id has the form of a stream id, "<ms>-<seq>",
// so that a script given it does not fail.
func validID(id string) bool {
	ms, seq, ok := strings.Cut(id, "-")
	_, err1 := strconv.ParseUint(ms, 10, 64)
	_, err2 := strconv.ParseUint(seq, 10, 64)
	return ok && err1 == nil && err2 == nil
}
