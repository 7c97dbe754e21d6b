package memory_test

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/memory"
)

func Example() {
	ctx := context.Background()
	store := memory.New(memory.Options{MaxKeys: 1000, SweepInterval: -1})
	defer store.Close()

	// A conversation that expires after a while without activity (an
	// hour would be usual; 50 ms here, so that the example runs fast).
	const idle = 50 * time.Millisecond
	key := backend.Key{BotID: 1, ChatID: 100, UserID: 100}
	v, _ := store.CompareAndSet(ctx, key, 0, backend.Record{State: "order:address", Data: []byte(`{"item":"tea"}`)}, idle)
	rec, _ := store.Get(ctx, key)
	fmt.Printf("%s %s v%d (wrote v%d)\n", rec.State, rec.Data, rec.Version, v)

	// A per-chat lock, as the runtime takes before loading the state.
	lock, _ := store.Lock(ctx, "chat:100", 30*time.Second)
	fmt.Println("locked, fencing token", lock.Token() > 0)
	_ = lock.Unlock(ctx)

	time.Sleep(2 * idle)
	rec, _ = store.Get(ctx, key)
	fmt.Printf("after twice its ttl: version %d, state %q\n", rec.Version, rec.State)
	// Output:
	// order:address {"item":"tea"} v1 (wrote v1)
	// locked, fencing token true
	// after twice its ttl: version 0, state ""
}
