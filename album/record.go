package album

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/backoff"
	"github.com/heraldbot/herald/tg"
)

// albumUser is the user id of the records this package keeps in the
// engine's State: no Telegram user has a negative id, so they never meet
// a conversation's record.
const albumUser = -1

// recordState is the State field of those records; a record at one of
// their keys with another State is refused as corrupt.
const recordState = "herald.album"

// The update kinds whose messages are collected.
const (
	kindMessage         = "message"
	kindChannelPost     = "channel_post"
	kindBusinessMessage = "business_message"
)

// chatKey is the key of a chat's pending albums.
func chatKey(bot, chat int64) backend.Key {
	return backend.Key{BotID: bot, ChatID: chat, UserID: albumUser}
}

// indexKey is the key of the list of the bot's chats with pending albums
// (chat 0, which no chat has).
func indexKey(bot int64) backend.Key { return backend.Key{BotID: bot, UserID: albumUser} }

// batch is the parts of one album received so far.
type batch struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
	// Last is when the latest part arrived (Unix nanoseconds, the clock
	// of the instance that stored it).
	Last  int64         `json:"last"`
	Parts []*tg.Message `json:"parts"`
}

// first is the smallest message id of the batch: with the group it names
// the batch, so parts arriving after the batch fired form another one.
func (b *batch) first() int64 {
	var id int64
	for i, m := range b.Parts {
		if i == 0 || m.MessageID < id {
			id = m.MessageID
		}
	}
	return id
}

// due reports whether the batch's quiet period has passed at now.
func (b *batch) due(now time.Time, quiet time.Duration) bool {
	return !now.Before(b.dueAt(quiet))
}

func (b *batch) dueAt(quiet time.Duration) time.Time {
	return time.Unix(0, b.Last).Add(quiet)
}

// sorted returns the parts in message_id order (a new slice).
func (b *batch) sorted() []*tg.Message {
	out := slices.Clone(b.Parts)
	slices.SortFunc(out, func(x, y *tg.Message) int { return cmp.Compare(x.MessageID, y.MessageID) })
	return out
}

// update rebuilds an update carrying the batch's first part, of its kind.
func (b *batch) update() *tg.Update {
	parts := b.sorted()
	m := *parts[0]
	u := &tg.Update{}
	switch b.Kind {
	case kindChannelPost:
		u.ChannelPost = &m
	case kindBusinessMessage:
		u.BusinessMessage = &m
	default:
		u.Message = &m
	}
	return u
}

// chatRecord is what the State keeps per chat: its pending albums.
type chatRecord struct {
	Batches []*batch `json:"batches"`
}

// find returns the batch of group whose first part is first, or nil.
func (r *chatRecord) find(group string, first int64) *batch {
	for _, b := range r.Batches {
		if b.Group == group && b.first() == first {
			return b
		}
	}
	return nil
}

// add puts m, received at now, into the batch of its group (a new one if
// there is none). It reports whether m was added (false: a part with its
// message id is there already, a re-delivered update) and whether it
// started a batch.
func (r *chatRecord) add(kind string, m *tg.Message, now time.Time) (added, started bool) {
	for _, b := range r.Batches {
		if b.Group != m.MediaGroupID {
			continue
		}
		if slices.ContainsFunc(b.Parts, func(p *tg.Message) bool { return p.MessageID == m.MessageID }) {
			return false, false
		}
		b.Parts = append(b.Parts, m)
		b.Last = max(b.Last, now.UnixNano())
		return true, false
	}
	r.Batches = append(r.Batches, &batch{Group: m.MediaGroupID, Kind: kind, Last: now.UnixNano(), Parts: []*tg.Message{m}})
	return true, true
}

// remove takes the parts with the given message ids out of group's
// batches and drops the batches left empty. Parts of the group that are
// not in ids (they arrived while the batch was being handled) stay, as a
// batch of their own. It reports whether anything changed.
func (r *chatRecord) remove(group string, ids []int64) bool {
	changed := false
	r.Batches = slices.DeleteFunc(r.Batches, func(b *batch) bool {
		if b.Group != group {
			return false
		}
		n := len(b.Parts)
		b.Parts = slices.DeleteFunc(b.Parts, func(p *tg.Message) bool { return slices.Contains(ids, p.MessageID) })
		changed = changed || len(b.Parts) != n
		return len(b.Parts) == 0
	})
	return changed
}

// due returns the batches whose quiet period has passed at now.
func (r *chatRecord) due(now time.Time, quiet time.Duration) []*batch {
	var out []*batch
	for _, b := range r.Batches {
		if b.due(now, quiet) {
			out = append(out, b)
		}
	}
	return out
}

// next returns when the earliest batch that is not due at now becomes
// due; false when there is none.
func (r *chatRecord) next(now time.Time, quiet time.Duration) (time.Time, bool) {
	var at time.Time
	found := false
	for _, b := range r.Batches {
		if d := b.dueAt(quiet); d.After(now) && (!found || d.Before(at)) {
			at, found = d, true
		}
	}
	return at, found
}

// index is the list of a bot's chats with pending albums, read by the
// sweep.
type index struct {
	Chats []int64 `json:"chats"`
}

func (x *index) put(chat int64) bool {
	if slices.Contains(x.Chats, chat) {
		return false
	}
	x.Chats = append(x.Chats, chat)
	return true
}

func (x *index) drop(chat int64) bool {
	n := len(x.Chats)
	x.Chats = slices.DeleteFunc(x.Chats, func(c int64) bool { return c == chat })
	return len(x.Chats) != n
}

// casRetry spaces the attempts of a compare-and-set that lost a race.
var casRetry = backoff.Policy{Min: time.Millisecond, Max: 50 * time.Millisecond, Jitter: backoff.Full}

// casAttempts bounds them: the writers of one key are the instances
// handling one chat (or, for the index, starting and ending albums).
const casAttempts = 50

// load reads and decodes the record at key; a missing record is the zero
// T, version 0.
func load[T any](ctx context.Context, st backend.State, key backend.Key) (T, int64, error) {
	var v T
	rec, err := st.Get(ctx, key)
	if err != nil {
		return v, 0, fmt.Errorf("album: reading %s: %w", key, err)
	}
	if rec.Version == 0 {
		return v, 0, nil
	}
	if rec.State != recordState {
		return v, 0, fmt.Errorf("album: the record %s is not the album collector's (state %q): %w", key, rec.State, backend.ErrCorrupt)
	}
	if err := json.Unmarshal(rec.Data, &v); err != nil {
		return v, 0, fmt.Errorf("album: decoding %s: %v: %w", key, err, backend.ErrCorrupt)
	}
	return v, rec.Version, nil
}

// modify applies fn to the record at key with compare-and-set, retrying
// when another writer came first, and returns the record as written (or
// as read when fn changed nothing). ttl gives the time to live of the
// written value.
func modify[T any](ctx context.Context, st backend.State, key backend.Key, ttl func(*T) time.Duration, fn func(*T) bool) (T, error) {
	for attempt := 0; ; attempt++ {
		v, version, err := load[T](ctx, st, key)
		if err != nil {
			return v, err
		}
		if !fn(&v) {
			return v, nil
		}
		data, err := json.Marshal(&v)
		if err != nil {
			return v, fmt.Errorf("album: encoding %s: %w", key, err)
		}
		_, err = st.CompareAndSet(ctx, key, version, backend.Record{State: recordState, Data: data}, ttl(&v))
		switch {
		case err == nil:
			return v, nil
		case !errors.Is(err, backend.ErrConflict):
			return v, fmt.Errorf("album: writing %s: %w", key, err)
		case attempt+1 == casAttempts:
			return v, fmt.Errorf("album: writing %s: %d conflicts in a row: %w", key, casAttempts, err)
		}
		if err := backoff.Sleep(ctx, casRetry.Delay(attempt)); err != nil {
			return v, err
		}
	}
}
