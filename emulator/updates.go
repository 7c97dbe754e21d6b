package emulator

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/heraldbot/herald/tg"
)

// queuedUpdate is an update waiting for confirmation, kept as JSON.
type queuedUpdate struct {
	id   int64
	kind string // "message", "callback_query", …
	key  int64  // chat id, or user id: deliveries of one key stay in order
	data []byte

	// webhook delivery state
	attempts  int
	notBefore time.Time
	inflight  bool
}

// updateQueue is one bot's unconfirmed updates, oldest first.
type updateQueue struct {
	items   []*queuedUpdate
	nextID  int64
	allowed map[string]bool // nil: Telegram's default set
	wake    chan struct{}   // closed and replaced on every new update
}

// newUpdateQueue returns a queue whose first update id is first, or a
// random one (randomFirstUpdateID) when first is not positive.
func newUpdateQueue(first int64) updateQueue {
	if first <= 0 {
		first = randomFirstUpdateID()
	}
	return updateQueue{nextID: first, wake: make(chan struct{})}
}

// Bounds of a random first update id: well above 1 and far enough below
// 2^31 that a run can hand out a billion ids before leaving 32 bits
// (some clients keep update ids in an int32).
const (
	minRandomUpdateID = 1 << 20
	maxRandomUpdateID = 1 << 30
)

// randomFirstUpdateID is a bot's first update id when none is set, as
// Telegram starts a bot's sequence anywhere: two runs of the emulator
// start in different places, so a bot that remembers the update ids it
// handled does not take a new run's updates for re-deliveries.
func randomFirstUpdateID() int64 {
	return minRandomUpdateID + rand.Int64N(maxRandomUpdateID-minRandomUpdateID)
}

func (q *updateQueue) len() int { return len(q.items) }

// notDefault are the update types Telegram sends only when asked for.
var notDefault = map[string]bool{"chat_member": true, "message_reaction": true, "message_reaction_count": true}

func (q *updateQueue) wants(kind string) bool {
	if q.allowed == nil {
		return !notDefault[kind]
	}
	return q.allowed[kind]
}

// setAllowed remembers allowed_updates; an empty list restores the default.
func (q *updateQueue) setAllowed(kinds []string) {
	if len(kinds) == 0 {
		q.allowed = nil
		return
	}
	q.allowed = make(map[string]bool, len(kinds))
	for _, k := range kinds {
		q.allowed[k] = true
	}
}

func (q *updateQueue) allowedList() []string {
	if q.allowed == nil {
		return nil
	}
	out := make([]string, 0, len(q.allowed))
	for k := range q.allowed {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// enqueueLocked creates an update of kind for key, filled in by fill, if
// the bot wants that kind. It returns the update id, or 0 if filtered out.
func (b *bot) enqueueLocked(kind string, key int64, fill func(*tg.Update)) int64 {
	q := &b.queue
	if !q.wants(kind) {
		return 0
	}
	upd := tg.Update{UpdateID: q.nextID}
	fill(&upd)
	data, err := json.Marshal(&upd)
	if err != nil { // cannot happen with the types the emulator builds
		b.e.log.Error("emulator: encoding update", "bot_id", b.id, "err", err)
		return 0
	}
	q.nextID++
	q.items = append(q.items, &queuedUpdate{id: upd.UpdateID, kind: kind, key: key, data: data})
	b.stats.updatesQueued.Add(1)
	if over := len(q.items) - b.e.opts.MaxPendingUpdates; over > 0 {
		dropped := b.dropLocked(over)
		b.e.log.Warn("emulator: update queue full, oldest updates dropped", "bot_id", b.id, "dropped", dropped)
	}
	close(q.wake)
	q.wake = make(chan struct{})
	if b.hook != nil {
		b.hook.kick()
	}
	return upd.UpdateID
}

// confirmLocked applies a getUpdates offset: a positive one confirms the
// updates before it; a negative one keeps only the last -offset updates.
func (b *bot) confirmLocked(offset int64) {
	q := &b.queue
	n := 0
	switch {
	case offset > 0:
		for n < len(q.items) && q.items[n].id < offset {
			n++
		}
	case offset < 0:
		n = max(len(q.items)-int(min(-offset, int64(len(q.items)))), 0)
	}
	if n == 0 {
		return
	}
	clear(q.items[:n])
	q.items = q.items[n:]
	if offset > 0 {
		b.stats.updatesConfirmed.Add(int64(n))
	} else {
		b.stats.updatesDropped.Add(int64(n)) // forgotten unconfirmed
	}
}

// takeLocked returns up to limit updates as a JSON array.
func (b *bot) takeLocked(limit int) (jsontext.Value, int) {
	items := b.queue.items[:min(limit, len(b.queue.items))]
	if len(items) == 0 {
		return jsontext.Value("[]"), 0
	}
	size := 2
	for _, u := range items {
		size += len(u.data) + 1
	}
	buf := make([]byte, 0, size)
	buf = append(buf, '[')
	for i, u := range items {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, u.data...)
	}
	buf = append(buf, ']')
	b.stats.updatesDelivered.Add(int64(len(items)))
	return jsontext.Value(buf), len(items)
}

// dropPendingLocked forgets every pending update (drop_pending_updates),
// those being delivered to a webhook too: a delivery that fails after
// the drop must not bring its update back (its deliver finds it gone).
func (b *bot) dropPendingLocked() {
	n := len(b.queue.items)
	clear(b.queue.items)
	b.queue.items = b.queue.items[:0]
	b.stats.updatesDropped.Add(int64(n))
}

// dropLocked forgets up to limit updates not in flight, oldest first, and
// returns how many it dropped.
func (b *bot) dropLocked(limit int) int {
	n := 0
	b.queue.items = slices.DeleteFunc(b.queue.items, func(u *queuedUpdate) bool {
		if n < limit && !u.inflight {
			n++
			return true
		}
		return false
	})
	b.stats.updatesDropped.Add(int64(n))
	return n
}

// pollState is the getUpdates request currently waiting.
type pollState struct {
	done chan struct{} // closed when a newer request or a webhook ends it
	err  *apiError
}

// endPollLocked ends the waiting getUpdates request, if any, with err.
func (b *bot) endPollLocked(err *apiError) {
	if ps := b.poll; ps != nil {
		ps.err = err
		close(ps.done)
		b.poll = nil
	}
}

// allowedUpdates reads allowed_updates; given is false when it is absent.
func (p *params) allowedUpdates() (kinds []string, given bool, aerr *apiError) {
	if !p.has("allowed_updates") {
		return nil, false, nil
	}
	if _, err := p.decode("allowed_updates", &kinds); err != nil {
		return nil, false, badRequest("can't parse allowed_updates JSON array")
	}
	return kinds, true, nil
}

const maxPollTimeout = 50 * time.Second

func getUpdates(c *call) (any, *apiError) {
	b, p := c.b, c.p
	limit := int(p.int("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout := min(max(time.Duration(p.int("timeout"))*time.Second, 0), maxPollTimeout)
	kinds, setKinds, aerr := p.allowedUpdates()
	if aerr != nil {
		return nil, aerr
	}

	b.mu.Lock()
	if b.hook != nil {
		b.mu.Unlock()
		return nil, errWebhookActive
	}
	b.endPollLocked(errTerminatedByOther)
	if setKinds {
		b.queue.setAllowed(kinds)
	}
	b.confirmLocked(p.int("offset"))
	batch, n := b.takeLocked(limit)
	if n > 0 || timeout <= 0 {
		b.mu.Unlock()
		return batch, nil
	}
	ps := &pollState{done: make(chan struct{})}
	b.poll = ps
	wake := b.queue.wake
	b.mu.Unlock()

	timedOut := make(chan struct{})
	t := time.AfterFunc(timeout, func() { close(timedOut) })
	defer t.Stop()
	defer func() {
		b.mu.Lock()
		if b.poll == ps {
			b.poll = nil
		}
		b.mu.Unlock()
	}()
	for {
		select {
		case <-ps.done:
			return nil, ps.err
		case <-wake:
		case <-timedOut:
		case <-c.ctx.Done():
			return jsontext.Value("[]"), nil
		case <-c.e.closed:
			return jsontext.Value("[]"), nil
		}
		b.mu.Lock()
		select {
		case <-ps.done:
			b.mu.Unlock()
			return nil, ps.err
		default:
		}
		batch, n := b.takeLocked(limit)
		wake = b.queue.wake
		b.mu.Unlock()
		select {
		case <-timedOut:
			return batch, nil
		default:
		}
		if n > 0 {
			return batch, nil
		}
	}
}
