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
// compare-and-set, a per-chat lock, and a do-once claim. (It needs a
// running Redis, so it is compiled but not run by go test.)
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

	// Confirm order 42 once, however many times the button is pressed:
	// claim the name, do the work, then mark it done for a day (or
	// release it on failure, so that a later press tries again).
	const owner = "press-8f3a" // unique per attempt
	st, err := store.Claim(ctx, "order-42-confirmed", owner, time.Minute)
	if err == nil && st == backend.Claimed {
		fmt.Println("order 42 confirmed")
		if err := store.Finish(ctx, "order-42-confirmed", owner, 24*time.Hour); err != nil {
			log.Print(err)
		}
	}
}

// Open connects from a URL and owns the client: Close closes it. The
// Store serves any bot (bot id 0); hand it to the bot as its backend.
func ExampleOpen() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	store, err := redis.Open(ctx, "redis://127.0.0.1:6379/0", redis.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	var b backend.Backend = store
	c, err := b.Broadcasts().Create(ctx, backend.Campaign{Message: backend.CampaignMessage{Text: "We are open on Sunday"}}, []int64{7, 8, 9}, time.Now())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.Name(), "campaign", c.ID, "for", c.Total, "chats")
}
