package redis_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/redis"
)

// A Store on a local Redis: a conversation record written with
// compare-and-set, a per-chat lock, and a do-once mark. (It needs a running
// Redis, so it is compiled but not run by go test.)
func Example() {
	client := goredis.NewClient(&goredis.Options{
		Addr:                  "127.0.0.1:6379",
		ContextTimeoutEnabled: true, // let ctx deadlines bound network waits
	})
	defer client.Close()
	store := redis.New(client, 42, redis.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	// Take the chat's lock before loading its state.
	lock, err := store.Lock(ctx, "chat:-100123", 10*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	defer lock.Unlock(ctx)

	key := backend.Key{ChatID: -100123, UserID: 7}
	rec, err := store.Get(ctx, key) // herald:{42}:fsm:-100123:7:0
	if err != nil {
		log.Fatal(err)
	}
	_, err = store.CompareAndSet(ctx, key, rec.Version, backend.Record{State: "order:address", Data: []byte(`{"order":42}`)}, 24*time.Hour)
	if errors.Is(err, backend.ErrConflict) {
		log.Print("someone else wrote first: reload and retry")
	}

	// Confirm order 42 once, however many times the button is pressed.
	if first, err := store.Mark(ctx, "order-42-confirmed", 24*time.Hour); err == nil && first {
		fmt.Println("order 42 confirmed")
	}
}
