package sched

import (
	"context"
	"sync"
	"testing"
	"time"
)

// Benchmarks submit b.N tiny tasks from one goroutine (as a polling loop
// does) and wait until all have run. Each scheduler benchmark reports
// tasks/s and, measured in the same run with the same b.N, the ratio to
// the goroutine-per-task baseline (x-goroutine: 1.0 = as fast as
// `go fn()`, which gives neither ordering nor a bound).

const benchKeys = 10_000

func BenchmarkSchedulerManyKeys(b *testing.B) {
	benchScheduler(b, Config[int]{}, func(i int) int { return i % benchKeys })
}

func BenchmarkSchedulerHotKey(b *testing.B) {
	benchScheduler(b, Config[int]{}, func(int) int { return 0 })
}

// Many submitters at once, as webhook requests are.
func BenchmarkSchedulerManyKeysParallel(b *testing.B) {
	s := New(Config[int]{})
	var wg sync.WaitGroup
	task := func(context.Context) { wg.Done() }
	wg.Add(b.N)
	b.ReportAllocs()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		k := 0
		for pb.Next() {
			k = (k + 7919) % benchKeys
			if err := s.Submit(context.Background(), k, task); err != nil {
				b.Error(err)
				wg.Done()
			}
		}
	})
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	_ = s.Close(context.Background())
	report(b, elapsed)
	b.ReportMetric(goroutinePerTask(b.N).Seconds()/elapsed.Seconds(), "x-goroutine")
}

func BenchmarkBaselineGoroutinePerTask(b *testing.B) {
	b.ReportAllocs()
	report(b, goroutinePerTask(b.N))
}

// A naive keyed scheduler: one goroutine and one channel per key, kept
// forever (no idle freeing, no global cap, no bound across keys).
func BenchmarkBaselineChannelPerKey(b *testing.B) {
	for _, bc := range []struct {
		name string
		keys int
	}{{"keys=10000", benchKeys}, {"keys=1", 1}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			report(b, channelPerKey(b.N, bc.keys))
		})
	}
}

func benchScheduler(b *testing.B, cfg Config[int], key func(int) int) {
	s := New(cfg)
	var wg sync.WaitGroup
	task := func(context.Context) { wg.Done() }
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	wg.Add(b.N)
	for i := range b.N {
		if err := s.Submit(context.Background(), key(i), task); err != nil {
			b.Fatal(err)
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err := s.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	report(b, elapsed)
	base := goroutinePerTask(b.N)
	b.ReportMetric(base.Seconds()/elapsed.Seconds(), "x-goroutine")
}

func goroutinePerTask(n int) time.Duration {
	var wg sync.WaitGroup
	ctx := context.Background()
	task := func(context.Context) { wg.Done() }
	start := time.Now()
	wg.Add(n)
	for range n {
		go task(ctx)
	}
	wg.Wait()
	return time.Since(start)
}

func channelPerKey(n, keys int) time.Duration {
	var wg sync.WaitGroup
	ctx := context.Background()
	task := func(context.Context) { wg.Done() }
	chans := make([]chan Task, keys)
	for i := range chans {
		ch := make(chan Task, 64)
		chans[i] = ch
		go func() {
			for fn := range ch {
				fn(ctx)
			}
		}()
	}
	start := time.Now()
	wg.Add(n)
	for i := range n {
		chans[i%keys] <- task
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, ch := range chans {
		close(ch)
	}
	return elapsed
}

func report(b *testing.B, elapsed time.Duration) {
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "tasks/s")
}
