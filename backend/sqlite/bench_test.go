package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/tg"
)

// The benchmarks report, next to ns/op, the ratio to a baseline measured in
// the same run on the same database: a raw single-row statement of the same
// kind (INSERT OR REPLACE for writes, SELECT by primary key for reads), so
// that the numbers say what Herald adds to SQLite, not how fast the
// machine is.

func benchStore(b *testing.B) *Store {
	s := openAt(b, dbPath(b), Options{SweepInterval: -1})
	if _, err := s.w.Exec(`CREATE TABLE baseline (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID`); err != nil {
		b.Fatal(err)
	}
	return s
}

// measure runs fn n times and returns the mean duration.
func measure(n int, fn func(i int)) time.Duration {
	start := time.Now()
	for i := range n {
		fn(i)
	}
	return time.Since(start) / time.Duration(max(n, 1))
}

var benchData = []byte(`{"name":"Ann","age":31,"city":"Lisbon","items":[1,2,3]}`)

func BenchmarkSQLiteCompareAndSet(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	ins, err := s.w.Prepare(`INSERT OR REPLACE INTO baseline (k, v) VALUES (?1, ?2)`)
	if err != nil {
		b.Fatal(err)
	}
	defer ins.Close()
	k := key1.String()

	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var v int64
	for range b.N {
		v, err = s.CompareAndSet(ctx, key1, v, backend.Record{State: "form:age", Data: benchData}, time.Hour)
		if err != nil {
			b.Fatal(err)
		}
	}
	per := time.Since(start) / time.Duration(b.N)
	b.StopTimer()

	base := measure(b.N, func(int) {
		if _, err := ins.Exec(k, benchData); err != nil {
			b.Fatal(err)
		}
	})
	b.ReportMetric(float64(base.Nanoseconds()), "baseline-ns/op")
	b.ReportMetric(float64(per)/float64(base), "x-baseline")
}

func BenchmarkSQLiteGet(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	if _, err := s.CompareAndSet(ctx, key1, 0, backend.Record{State: "form:age", Data: benchData}, time.Hour); err != nil {
		b.Fatal(err)
	}
	if _, err := s.w.Exec(`INSERT INTO baseline (k, v) VALUES (?1, ?2)`, key1.String(), benchData); err != nil {
		b.Fatal(err)
	}
	sel, err := s.r.Prepare(`SELECT v FROM baseline WHERE k = ?1`)
	if err != nil {
		b.Fatal(err)
	}
	defer sel.Close()
	k := key1.String()

	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		rec, err := s.Get(ctx, key1)
		if err != nil || rec.Version != 1 {
			b.Fatal(rec, err)
		}
	}
	per := time.Since(start) / time.Duration(b.N)
	b.StopTimer()

	base := measure(b.N, func(int) {
		var v []byte
		if err := sel.QueryRow(k).Scan(&v); err != nil {
			b.Fatal(err)
		}
	})
	b.ReportMetric(float64(base.Nanoseconds()), "baseline-ns/op")
	b.ReportMetric(float64(per)/float64(base), "x-baseline")
}

// BenchmarkSQLiteClaim is the per-update dedup cost: the claim of a new
// update at admission, then its done mark once handled.
func BenchmarkSQLiteClaim(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		name := fmt.Sprint("update:", i)
		if st, err := s.Claim(ctx, name, "o", time.Minute); err != nil || st != backend.Claimed {
			b.Fatal(st, err)
		}
		if err := s.Finish(ctx, name, "o", 24*time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSQLiteLimitTake is the limiter's cost per counted call on a
// shared file: one Take (a write transaction) of a message into one of
// 1000 private chats, against the bot's global bucket and the chat's, with
// rates high enough that every Take fits. "parallel" is GOMAXPROCS
// goroutines of one process, serialised on the write connection.
func BenchmarkSQLiteLimitTake(b *testing.B) {
	fast := backend.Rate{Count: 1 << 30, Per: time.Second, Burst: 1 << 20}
	req := func(chat int64) *backend.LimitRequest {
		return &backend.LimitRequest{N: 1, Chat: tg.ID(chat), Buckets: []backend.LimitBucket{
			{Scope: backend.ScopeGlobal, Rate: fast},
			{Scope: backend.ScopeChat, Chat: tg.ID(chat), Rate: fast},
		}}
	}
	take := func(b *testing.B, l backend.LimitStore, chat int64) {
		if v, err := l.Take(context.Background(), req(chat)); err != nil || v.Wait != 0 {
			b.Fatal(v, err)
		}
	}
	b.Run("serial", func(b *testing.B) {
		l := benchStore(b).Limits(1)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			take(b, l, int64(i%1000)+1)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		l := benchStore(b).Limits(1)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				take(b, l, rand.Int64N(1000)+1)
			}
		})
	})
}

// BenchmarkSQLiteLockUnlock is an uncontended acquire + release.
func BenchmarkSQLiteLockUnlock(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	b.ReportAllocs()
	for b.Loop() {
		l, err := s.Lock(ctx, "chat:1", time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		if err := l.Unlock(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
