package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/sqlite"
)

func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "herald-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "bot.db")

	store, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		panic(err)
	}
	key := backend.Key{BotID: 1, ChatID: 100, UserID: 100}
	v, _ := store.CompareAndSet(ctx, key, 0, backend.Record{State: "form:age", Data: []byte(`{"name":"Ann"}`)}, 24*time.Hour)
	_, err = store.CompareAndSet(ctx, key, 0, backend.Record{State: "form:name"}, 0)
	fmt.Println("version", v, "second create conflicts:", errors.Is(err, backend.ErrConflict))
	// Update 123 is claimed once, then marked done for a day.
	first, _ := store.Claim(ctx, "update:123", "worker-1", time.Minute)
	_ = store.Finish(ctx, "update:123", "worker-1", 24*time.Hour)
	again, _ := store.Claim(ctx, "update:123", "worker-2", time.Minute)
	fmt.Println("update 123:", first, "then:", again)
	store.Close()

	// The process restarts: the conversation is where it was.
	store, err = sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		panic(err)
	}
	defer store.Close()
	rec, _ := store.Get(ctx, key)
	fmt.Printf("%s %s v%d\n", rec.State, rec.Data, rec.Version)
	// Output:
	// version 1 second create conflicts: true
	// update 123: claimed then: done
	// form:age {"name":"Ann"} v1
}
