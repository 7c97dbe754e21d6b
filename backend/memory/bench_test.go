package memory

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/fsm"
)

const benchKeys = 10_000

type benchData struct {
	N int `json:"n"`
}

// BenchmarkMemoryUpdate measures fsm.Update (read, JSON decode, increment,
// JSON encode, compare-and-set) on random keys of a memory Store, from one
// goroutine and from GOMAXPROCS goroutines.
func BenchmarkMemoryUpdate(b *testing.B) {
	keys := make([]backend.Key, benchKeys)
	for i := range keys {
		keys[i] = backend.Key{BotID: 1, ChatID: int64(i), UserID: int64(i)}
	}
	run := func(b *testing.B, s *Store, r *rand.Rand) {
		fc := fsm.NewContext(s, keys[r.IntN(benchKeys)], fsm.Options{})
		if err := fsm.Update(b.Context(), fc, func(_ *fsm.State, d *benchData) error { d.N++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("serial", func(b *testing.B) {
		s := New(Options{SweepInterval: -1})
		defer s.Close()
		r := rand.New(rand.NewPCG(1, 2))
		b.ReportAllocs()
		for b.Loop() {
			run(b, s, r)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		s := New(Options{SweepInterval: -1})
		defer s.Close()
		var seed uint64
		var mu sync.Mutex
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			mu.Lock()
			seed++
			r := rand.New(rand.NewPCG(seed, 2))
			mu.Unlock()
			for pb.Next() {
				run(b, s, r)
			}
		})
	})
}

// BenchmarkMapMutexBaseline is the floor BenchmarkMemoryUpdate is compared
// with: the same read-modify-write on a plain map under one mutex, with
// neither versions, JSON nor sharding.
func BenchmarkMapMutexBaseline(b *testing.B) {
	type baseline struct {
		mu sync.Mutex
		m  map[backend.Key]int
	}
	keys := make([]backend.Key, benchKeys)
	for i := range keys {
		keys[i] = backend.Key{BotID: 1, ChatID: int64(i), UserID: int64(i)}
	}
	run := func(s *baseline, r *rand.Rand) {
		k := keys[r.IntN(benchKeys)]
		s.mu.Lock()
		s.m[k]++
		s.mu.Unlock()
	}
	b.Run("serial", func(b *testing.B) {
		s := &baseline{m: map[backend.Key]int{}}
		r := rand.New(rand.NewPCG(1, 2))
		b.ReportAllocs()
		for b.Loop() {
			run(s, r)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		s := &baseline{m: map[backend.Key]int{}}
		var seed uint64
		var mu sync.Mutex
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			mu.Lock()
			seed++
			r := rand.New(rand.NewPCG(seed, 2))
			mu.Unlock()
			for pb.Next() {
				run(s, r)
			}
		})
	})
}

// BenchmarkMemoryIdleSession reports the memory one idle conversation
// (a state and a small JSON object) costs in a Store, over 1,000,000
// conversations (the target of issue 5 is under 200 bytes).
func BenchmarkMemoryIdleSession(b *testing.B) {
	const sessions = 1_000_000
	data := []byte(`{"item":"tea","qty":2}`)
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s := New(Options{SweepInterval: -1, MaxKeys: sessions})
		for i := range sessions {
			k := backend.Key{BotID: 1, ChatID: int64(i) + 1e9, UserID: int64(i) + 1e9}
			if _, err := s.CompareAndSet(b.Context(), k, 0, backend.Record{State: "order:address", Data: data}, 0); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/sessions, "B/session")
		runtime.KeepAlive(s)
		s.Close()
	}
}
