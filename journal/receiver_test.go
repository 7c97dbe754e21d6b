package journal_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/journal"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

func chatKey(u *tg.Update) int64 { return u.Message.Chat.ID }

func update(id, chat int64) *tg.Update {
	return &tg.Update{UpdateID: id, Message: &tg.Message{MessageID: id, Chat: tg.Chat{ID: chat}, Text: "hi"}}
}

// TestReceiverBackpressure: a full journal makes TrySubmit (the webhook)
// fail with source.ErrFull and SubmitBatch (the poller) wait until
// workers acknowledged entries; copies are skipped at insertion.
func TestReceiverBackpressure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		j := memory.NewJournal(2)
		r := journal.NewReceiver(j, journal.ReceiverConfig{Key: chatKey, MaxLength: 3, Logger: quiet(),
			Inject: func(_ context.Context, u *tg.Update, meta map[string]string) { meta["trace"] = "t1" }})
		acked := 0
		ack := func(rep *source.Reply, err error) {
			if err == nil {
				acked++
			}
		}
		for id := range int64(3) {
			if err := r.TrySubmit(update(id+1, 7), ack); err != nil {
				t.Fatalf("TrySubmit %d: %v", id+1, err)
			}
		}
		if acked != 3 {
			t.Fatalf("acked %d, want 3: the Ack comes once the update is in the journal", acked)
		}
		err := r.TrySubmit(update(4, 7), ack)
		if !errors.Is(err, source.ErrFull) || !errors.Is(err, journal.ErrJournalFull) {
			t.Fatalf("TrySubmit on a full journal: %v, want source.ErrFull", err)
		}
		done := make(chan error, 1)
		go func() { done <- r.SubmitBatch(ctx, []*tg.Update{update(4, 7), update(5, 8)}) }()
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("SubmitBatch on a full journal returned %v at once; want it to wait", err)
		default:
		}
		es, _ := j.Read(ctx, "w", []int{0, 1}, 10, 0)
		if len(es) != 3 || es[0].Meta["trace"] != "t1" || es[0].Meta[journal.MetaReceived] == "" {
			t.Fatalf("entries %+v: want 3, with the injected meta and the receive time", es)
		}
		_ = j.Ack(ctx, es[0].Ref(), es[1].Ref())
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("SubmitBatch still waits after the journal drained")
		}
		// A copy of a journaled update is skipped.
		_ = j.Ack(ctx, es[2].Ref())
		time.Sleep(time.Second) // past the receiver's cached length
		if err := r.SubmitBatch(ctx, []*tg.Update{update(5, 8)}); err != nil {
			t.Fatal(err)
		}
		if n, _ := j.Len(ctx); n != 2 {
			t.Fatalf("journal length %d, want 2 (the 2 new ones; the copy skipped)", n)
		}
	})
}
