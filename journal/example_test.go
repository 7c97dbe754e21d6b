package journal_test

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/journal"
	"github.com/heraldbot/herald/sched"
	"github.com/heraldbot/herald/tg"
)

// A receiver stores a getUpdates batch in a journal (the poller would
// confirm it to Telegram right after); a worker handles the entries in
// each chat's order and acknowledges them. herald.Bot wires the same
// parts when it has a journal.
func Example() {
	ctx := context.Background()
	j := memory.NewJournal(4) // in production: the sqlite or redis engine's Journal()
	r := journal.NewReceiver(j, journal.ReceiverConfig{Key: func(u *tg.Update) int64 { return u.Message.Chat.ID }})
	var batch []*tg.Update
	for id := int64(1); id <= 3; id++ {
		batch = append(batch, &tg.Update{UpdateID: id, Message: &tg.Message{Chat: tg.Chat{ID: 42}, Text: fmt.Sprint("m", id)}})
	}
	if err := r.SubmitBatch(ctx, batch); err != nil {
		panic(err)
	}

	handled := make(chan int64, 3)
	s := sched.New(sched.Config[int64]{})
	w := journal.NewWorker(j, journal.WorkerConfig{Owner: "worker-1"})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- w.Run(runCtx, s, func(ctx context.Context, e *backend.JournalEntry) error {
			handled <- e.UpdateID // a real handler decodes e.Update and runs the bot's routers
			return nil
		})
	}()
	for range 3 {
		fmt.Println("handled update", <-handled)
	}
	stop()
	closeCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_ = s.Close(closeCtx)
	<-done
	// Output:
	// handled update 1
	// handled update 2
	// handled update 3
}
