package redis

import (
	"testing"

	"github.com/heraldbot/herald/backend"
)

// BenchmarkJournal measures the journal against the test Redis: Append of
// a batch of 100 new updates spread over the partitions (one script), and
// the worker's round trips for one entry, Read then Ack.
func BenchmarkJournal(b *testing.B) {
	b.Run("Append100", func(b *testing.B) {
		j := newStore(b).journal
		ctx := b.Context()
		var next int64 = 1
		es := make([]backend.JournalEntry, 100)
		for b.Loop() {
			for i := range es {
				es[i] = backend.JournalEntry{UpdateID: next, Key: next % 1000, Update: []byte(`{"update_id":1,"message":{"text":"hi"}}`),
					Meta: map[string]string{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}
				next++
			}
			if n, err := j.Append(ctx, es); err != nil || n != len(es) {
				b.Fatalf("Append = %d, %v", n, err)
			}
		}
	})
	b.Run("ReadAck", func(b *testing.B) {
		j := newStore(b).journal
		ctx := b.Context()
		ps := []int{0}
		key := keysOf(j, 0, 1)[0]
		for b.Loop() {
			b.StopTimer()
			if _, err := j.Append(ctx, batch(0, 1, key)); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			got, err := j.Read(ctx, "w", ps, 1, 0)
			if err != nil || len(got) != 1 {
				b.Fatalf("Read = %d entries, %v", len(got), err)
			}
			if err := j.Ack(ctx, got[0].Ref()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
