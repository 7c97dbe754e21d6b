package source

import (
	"math/rand/v2"
	"testing"
)

func TestOffsetTrackerInOrder(t *testing.T) {
	var tr offsetTracker
	if got := tr.offset(); got != 0 {
		t.Fatalf("initial offset = %d, want 0", got)
	}
	for id := int64(10); id <= 12; id++ {
		if !tr.begin(id) {
			t.Fatalf("begin(%d) = false", id)
		}
	}
	if got := tr.offset(); got != 10 {
		t.Fatalf("offset = %d, want 10", got)
	}
	steps := []struct{ ack, want int64 }{{10, 11}, {11, 12}, {12, 13}}
	for _, s := range steps {
		if !tr.ack(s.ack) {
			t.Fatalf("ack(%d) did not advance", s.ack)
		}
		if got := tr.offset(); got != s.want {
			t.Fatalf("after ack(%d) offset = %d, want %d", s.ack, got, s.want)
		}
	}
	if tr.inFlight() != 0 {
		t.Fatalf("inFlight = %d, want 0", tr.inFlight())
	}
}

func TestOffsetTrackerOutOfOrderAcks(t *testing.T) {
	var tr offsetTracker
	for id := int64(1); id <= 5; id++ {
		tr.begin(id)
	}
	// Acks of later updates never move the offset past an un-acked one.
	for _, id := range []int64{5, 3, 4} {
		if tr.ack(id) {
			t.Fatalf("ack(%d) advanced with 1 un-acked", id)
		}
		if got := tr.offset(); got != 1 {
			t.Fatalf("after ack(%d) offset = %d, want 1", id, got)
		}
	}
	if !tr.ack(1) || tr.offset() != 2 {
		t.Fatalf("after ack(1) offset = %d, want 2", tr.offset())
	}
	// Acking 2 releases the acked run 3, 4, 5 at once.
	if !tr.ack(2) || tr.offset() != 6 {
		t.Fatalf("after ack(2) offset = %d, want 6", tr.offset())
	}
	if tr.inFlight() != 0 || tr.oldest() != 0 {
		t.Fatalf("inFlight = %d oldest = %d, want 0 0", tr.inFlight(), tr.oldest())
	}
}

func TestOffsetTrackerGaps(t *testing.T) {
	var tr offsetTracker
	for _, id := range []int64{100, 105, 230} {
		tr.begin(id)
	}
	tr.ack(105)
	if got := tr.offset(); got != 100 {
		t.Fatalf("offset = %d, want 100", got)
	}
	tr.ack(100)
	if got := tr.offset(); got != 230 {
		t.Fatalf("offset = %d, want 230 (the next un-acked, not 106)", got)
	}
	tr.ack(230)
	if got := tr.offset(); got != 231 {
		t.Fatalf("offset = %d, want 231", got)
	}
}

func TestOffsetTrackerDuplicates(t *testing.T) {
	var tr offsetTracker
	tr.begin(1)
	tr.begin(2)
	// Fetched again while in flight, or older than the highest: refused.
	for _, id := range []int64{1, 2, 0, -3} {
		if tr.begin(id) {
			t.Fatalf("begin(%d) accepted a duplicate", id)
		}
	}
	if !tr.ack(1) {
		t.Fatal("ack(1) did not advance")
	}
	// A second ack, and acks of unknown ids, change nothing.
	for _, id := range []int64{1, 7, 0} {
		if tr.ack(id) {
			t.Fatalf("ack(%d) advanced", id)
		}
	}
	if tr.inFlight() != 1 || tr.offset() != 2 {
		t.Fatalf("inFlight = %d offset = %d, want 1 2", tr.inFlight(), tr.offset())
	}
	tr.ack(2)
	if tr.begin(2) {
		t.Fatal("begin(2) accepted an id already acked")
	}
	if tr.offset() != 3 {
		t.Fatalf("offset = %d, want 3", tr.offset())
	}
}

func TestOffsetTrackerAbort(t *testing.T) {
	var tr offsetTracker
	tr.begin(1)
	tr.ack(1)
	tr.begin(5)
	if tr.abort(1) {
		t.Fatal("abort(1) of an acked, not-last update succeeded")
	}
	if !tr.abort(5) {
		t.Fatal("abort(5) failed")
	}
	// The aborted update is not in flight and may be begun again; the
	// offset does not pass it.
	if tr.inFlight() != 0 || tr.offset() != 2 {
		t.Fatalf("inFlight = %d offset = %d, want 0 2", tr.inFlight(), tr.offset())
	}
	if !tr.begin(5) {
		t.Fatal("begin(5) after abort refused")
	}
}

func TestOffsetTrackerRestart(t *testing.T) {
	var tr offsetTracker
	tr.begin(900)
	if tr.restart() {
		t.Fatal("restart with an update in flight succeeded")
	}
	tr.ack(900)
	if !tr.restart() {
		t.Fatal("restart failed")
	}
	if !tr.begin(7) || tr.offset() != 7 {
		t.Fatalf("after restart: offset = %d, want 7", tr.offset())
	}
}

// TestOffsetTrackerRandom checks the invariant against a model: the
// offset is never above an un-acked update, and equals one past the
// highest id once everything is acked.
func TestOffsetTrackerRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var tr offsetTracker
		var ids []int64
		id := int64(r.IntN(1000) + 1)
		for range r.IntN(50) + 1 {
			tr.begin(id)
			ids = append(ids, id)
			id += int64(r.IntN(3) + 1)
		}
		unacked := make(map[int64]bool)
		for _, x := range ids {
			unacked[x] = true
		}
		for _, i := range r.Perm(len(ids)) {
			tr.ack(ids[i])
			delete(unacked, ids[i])
			off := tr.offset()
			for x := range unacked {
				if off > x {
					t.Fatalf("round %d: offset %d passes un-acked %d", round, off, x)
				}
			}
			if tr.inFlight() != len(unacked) {
				t.Fatalf("round %d: inFlight = %d, want %d", round, tr.inFlight(), len(unacked))
			}
		}
		if want := ids[len(ids)-1] + 1; tr.offset() != want {
			t.Fatalf("round %d: final offset %d, want %d", round, tr.offset(), want)
		}
	}
}

// TestOffsetTrackerFail: a failed update holds the offset, is begun again
// once (not twice), and an aborted resubmission stays failed.
func TestOffsetTrackerFail(t *testing.T) {
	var tr offsetTracker
	for id := int64(1); id <= 3; id++ {
		tr.begin(id)
	}
	tr.ack(1)
	if !tr.fail(2) || tr.fail(1) || tr.fail(9) {
		t.Fatal("fail: wrong report")
	}
	tr.ack(3)
	if tr.offset() != 2 || tr.inFlight() != 1 {
		t.Fatalf("offset %d, in flight %d; want 2, 1", tr.offset(), tr.inFlight())
	}
	if tr.begin(3) || !tr.begin(2) || tr.begin(2) {
		t.Fatal("begin: only the failed update may be begun again, once")
	}
	if !tr.abort(2) || !tr.begin(2) {
		t.Fatal("an aborted resubmission must stay failed")
	}
	if !tr.ack(2) || tr.offset() != 4 || tr.inFlight() != 0 {
		t.Fatalf("after ack: offset %d, in flight %d", tr.offset(), tr.inFlight())
	}
	if tr.begin(4) != true {
		t.Fatal("new ids still begin")
	}
}
