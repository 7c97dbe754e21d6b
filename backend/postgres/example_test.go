package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/postgres"
)

// A Store on a local PostgreSQL: a conversation record written with
// compare-and-set, a chat lock and a claim of an update. (It needs a
// running server, so it is compiled but not run by go test.)
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store, err := postgres.Open(ctx, "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", postgres.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	// Take the chat's lock before loading its state.
	lock, err := store.Locker().Lock(ctx, "chat:-100123", 10*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	defer lock.Unlock(ctx)

	state := store.State()
	key := backend.Key{BotID: 42, ChatID: -100123, UserID: 7}
	rec, err := state.Get(ctx, key)
	if err != nil {
		log.Fatal(err)
	}
	_, err = state.CompareAndSet(ctx, key, rec.Version, backend.Record{State: "order:address", Data: []byte(`{"order":42}`)}, 24*time.Hour)
	if errors.Is(err, backend.ErrConflict) {
		log.Print("someone else wrote first: reload and retry")
	}

	// Handle update 123 once, whichever process receives it.
	st, err := store.Claims().Claim(ctx, "update:42:123", "worker-1", time.Minute)
	if err == nil && st == backend.Claimed {
		fmt.Println("update 123 is ours")
		store.Claims().Finish(ctx, "update:42:123", "worker-1", 24*time.Hour)
	}
}
