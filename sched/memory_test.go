package sched

import (
	"context"
	"runtime"
	"testing"
)

// Idle keys are deleted, the key map is rebuilt after a burst of many
// distinct keys, and no goroutine stays behind.
func TestIdleKeysFreed(t *testing.T) {
	const (
		keys      = 200_000
		maxQueued = 50_000
	)
	goroutines := runtime.NumGoroutine()
	s := New(Config[int64]{Workers: 64, MaxQueued: maxQueued})
	heapBefore := heapInUse()

	// Hold the tasks so that all keys are active at once: the peak.
	gate := make(chan struct{})
	for k := range int64(keys) {
		if err := s.Submit(context.Background(), k, func(context.Context) { <-gate }); err != nil {
			t.Fatal(err)
		}
		if k == maxQueued-2 {
			// MaxQueued bounds the unfinished tasks: open the gate
			// before Submit would wait for room forever.
			close(gate)
		}
	}
	eventually(t, "all tasks to finish", func() bool { return s.Stats().Completed == keys })
	eventually(t, "all keys to go idle", func() bool { return s.Stats().Keys == 0 })

	s.mu.Lock()
	nkeys, peak := len(s.keys), s.peakKeys
	s.mu.Unlock()
	if nkeys != 0 || peak > minShrinkPeak {
		t.Errorf("after the burst: %d keys, peak %d (map not rebuilt?)", nkeys, peak)
	}
	// Workers that are still exiting hold their last queues: measure once
	// they are gone (under load they outlived the idle check and the heap
	// looked 557 KiB larger).
	eventually(t, "worker goroutines to exit", func() bool { return runtime.NumGoroutine() <= goroutines })
	heapAfter := heapInUse()
	// The peak held ~50,000 keys (MaxQueued) in the map: unshrunk, the
	// map alone keeps about 1.5 MiB. The recycled queues go with the
	// sync.Pool after two GCs.
	if grown := int64(heapAfter) - int64(heapBefore); grown > 512<<10 {
		t.Errorf("heap grew by %d KiB after all keys went idle", grown>>10)
	}
	runtime.KeepAlive(s)
	drain(t, s)
	checkIdle(t, s)
}

// A burst on one key grows its buffer; the buffer is not recycled.
func TestBurstBufferNotKept(t *testing.T) {
	s := New(Config[int]{Workers: 1})
	gate, started := make(chan struct{}), make(chan struct{})
	if err := s.TrySubmit(1, func(context.Context) { close(started); <-gate }); err != nil {
		t.Fatal(err)
	}
	recv(t, started, "the first task")
	for range 1000 {
		if err := s.TrySubmit(1, noop); err != nil {
			t.Fatal(err)
		}
	}
	s.mu.Lock()
	q := s.keys[1]
	if len(q.buf) < 1000 {
		t.Errorf("buffer of %d for 1000 queued tasks", len(q.buf))
	}
	s.mu.Unlock()
	close(gate)
	drain(t, s)
	if q.buf != nil || q.n != 0 {
		t.Errorf("recycled queue keeps a buffer of %d", len(q.buf))
	}
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
