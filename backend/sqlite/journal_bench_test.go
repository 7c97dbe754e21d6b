package sqlite

import (
	"context"
	"testing"

	"github.com/heraldbot/herald/backend"
)

// BenchmarkJournal is the journal's cost on a file: "append100" is one
// Append of a batch of 100 new updates (what a receiver does per
// getUpdates answer), reported per batch and per entry; "read-ack" is a
// worker's Read of one entry and its Ack.
func BenchmarkJournal(b *testing.B) {
	ctx := context.Background()
	meta := map[string]string{"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
	var id int64
	entries := func(n int) []backend.JournalEntry {
		es := make([]backend.JournalEntry, n)
		for i := range es {
			id++
			es[i] = backend.JournalEntry{UpdateID: id, Key: id % 1000, Update: benchData, Meta: meta}
		}
		return es
	}
	b.Run("append100", func(b *testing.B) {
		j := newStore(b).Journal()
		b.ReportAllocs()
		for b.Loop() {
			if n, err := j.Append(ctx, entries(100)); err != nil || n != 100 {
				b.Fatal(n, err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(100*b.N), "ns/entry")
	})
	b.Run("read-ack", func(b *testing.B) {
		j := newStore(b).Journal()
		for left := b.N; left > 0; left -= 1000 {
			if _, err := j.Append(ctx, entries(min(left, 1000))); err != nil {
				b.Fatal(err)
			}
		}
		all := make([]int, j.Partitions())
		for p := range all {
			all[p] = p
		}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			got, err := j.Read(ctx, "w", all, 1, 0)
			if err != nil || len(got) != 1 {
				b.Fatal(got, err)
			}
			if err := j.Ack(ctx, got[0].Ref()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
