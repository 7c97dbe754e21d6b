package source

import "sort"

// offsetTracker computes the getUpdates offset under the low-water-mark
// policy: the offset moves past an update only when it and every update
// submitted before it have been acked. It also remembers the highest
// update_id submitted, so that updates fetched again while still in
// flight are not submitted twice.
//
// It is a plain value without locking or I/O; Poller guards it with a
// mutex. Updates must be begun in increasing update_id order.
type offsetTracker struct {
	// pending holds the submitted updates from the oldest un-acked one
	// on, in update_id order; acked entries behind the front stay until
	// the front is acked.
	pending []pendingUpdate
	unacked int   // entries of pending not yet acked
	high    int64 // highest update_id submitted; 0 before the first
}

type pendingUpdate struct {
	id       int64
	acked    bool
	failed   bool  // nacked: submit it again when it is fetched again
	again    bool  // the current submission is a resubmission after a failure
	prevHigh int64 // high before this update was begun, for abort
}

// begin records that the update id is about to be submitted. It returns
// false, recording nothing, if id is not above every id begun so far: the
// update was submitted already (or is older than the committed offset).
//
// An update that failed (see fail) is begun again once: it is still in
// flight for the offset, and is submitted anew.
func (t *offsetTracker) begin(id int64) bool {
	if id <= t.high {
		p := t.find(id)
		if p == nil || !p.failed {
			return false
		}
		p.failed, p.again = false, true
		return true
	}
	t.pending = append(t.pending, pendingUpdate{id: id, prevHigh: t.high})
	t.high = id
	t.unacked++
	return true
}

// abort undoes the begin of id, the last update begun, when the sink did
// not accept it; the update will be fetched and submitted again. It
// reports whether id was the last update begun and not acked.
func (t *offsetTracker) abort(id int64) bool {
	if p := t.find(id); p != nil && p.again && !p.acked {
		p.failed, p.again = true, false // a resubmission: failed as before
		return true
	}
	n := len(t.pending)
	if n == 0 || t.pending[n-1].id != id || t.pending[n-1].acked {
		return false
	}
	t.high = t.pending[n-1].prevHigh
	t.pending = t.pending[:n-1]
	t.unacked--
	return true
}

// ack marks the update id as handled. It reports whether the offset
// advanced; acking an unknown or already acked id does nothing.
func (t *offsetTracker) ack(id int64) (advanced bool) {
	i := sort.Search(len(t.pending), func(i int) bool { return t.pending[i].id >= id })
	if i == len(t.pending) || t.pending[i].id != id || t.pending[i].acked {
		return false
	}
	t.pending[i].acked, t.pending[i].failed = true, false
	t.unacked--
	if i != 0 {
		return false
	}
	n := 0
	for n < len(t.pending) && t.pending[n].acked {
		n++
	}
	clear(t.pending[:n])
	t.pending = t.pending[n:]
	if len(t.pending) == 0 {
		t.pending = nil // let the backing array go
	}
	return true
}

// fail records that the update id was not handled (a nack): it stays in
// flight, holding the offset, and begin accepts it again. It reports
// whether id was in flight.
func (t *offsetTracker) fail(id int64) bool {
	p := t.find(id)
	if p == nil || p.acked {
		return false
	}
	p.failed, p.again = true, false
	return true
}

// find returns the pending entry of id, or nil.
func (t *offsetTracker) find(id int64) *pendingUpdate {
	i := sort.Search(len(t.pending), func(i int) bool { return t.pending[i].id >= id })
	if i == len(t.pending) || t.pending[i].id != id {
		return nil
	}
	return &t.pending[i]
}

// offset is the getUpdates offset to send: the oldest un-acked update,
// else one past the highest submitted, else 0 (nothing known yet).
func (t *offsetTracker) offset() int64 {
	switch {
	case len(t.pending) > 0:
		return t.pending[0].id
	case t.high > 0:
		return t.high + 1
	default:
		return 0
	}
}

// submitted reports whether begin would refuse id because it was
// submitted before and is still held: at or above the offset, not above
// the highest id begun, and not failed. An id below the offset is not
// reported, so that a restarted update_id sequence is still noticed.
func (t *offsetTracker) submitted(id int64) bool {
	if id < t.offset() || id > t.high {
		return false
	}
	p := t.find(id)
	return p == nil || !p.failed
}

// span is the number of updates from the offset on that the Poller
// already submitted: what the next getUpdates returns again.
func (t *offsetTracker) span() int { return len(t.pending) }

// inFlight is the number of submitted updates not yet acked.
func (t *offsetTracker) inFlight() int { return t.unacked }

// oldest is the update_id of the oldest un-acked update, or 0.
func (t *offsetTracker) oldest() int64 {
	if len(t.pending) == 0 {
		return 0
	}
	return t.pending[0].id
}

// restart forgets the highest id when nothing is in flight, so that a
// sequence of update_ids that started again lower (Telegram picks a new
// random start after a week without updates) is accepted. It reports
// whether it did.
func (t *offsetTracker) restart() bool {
	if len(t.pending) > 0 {
		return false
	}
	t.high = 0
	return true
}
