package redis

import (
	"sync"

	"github.com/heraldbot/herald/backend"
)

// handed remembers, per owner and partition, the id of the last entry a
// Read or Reclaim of this Journal returned. An XREADGROUP whose reply is
// lost (a dropped connection, Redis going down after running it, a
// client retry) has delivered entries that nobody received: they sit in
// the owner's pending list. The next Read first asks for the owner's
// pending entries after that id, so it returns them, in order, before
// anything newer: a lost reply never strands entries or reorders a chat.
type handed struct {
	mu   sync.Mutex
	last map[string][]string // owner → id by partition ("0-0": none yet)
}

// ids returns owner's last ids for the partitions ps.
func (h *handed) ids(owner string, ps []int) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, len(ps))
	by := h.last[owner]
	for i, p := range ps {
		out[i] = "0-0"
		if p < len(by) && by[p] != "" {
			out[i] = by[p]
		}
	}
	return out
}

// note records the entries returned to owner (in order per partition).
func (h *handed) note(owner string, n int, es []backend.JournalEntry) {
	if len(es) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	by := h.slot(owner, n)
	for _, e := range es {
		by[e.Partition] = e.ID
	}
}

// reset records that owner took partition p over with Reclaim: what it
// returned (possibly nothing) is all owner has pending there.
func (h *handed) reset(owner string, n, p int, es []backend.JournalEntry) {
	h.mu.Lock()
	defer h.mu.Unlock()
	by := h.slot(owner, n)
	by[p] = "0-0"
	if len(es) > 0 {
		by[p] = es[len(es)-1].ID
	}
}

func (h *handed) slot(owner string, n int) []string {
	if h.last == nil {
		h.last = make(map[string][]string)
	}
	by := h.last[owner]
	if by == nil {
		by = make([]string, n)
		h.last[owner] = by
	}
	return by
}
