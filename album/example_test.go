package album_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/album"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/tg"
)

// A bot that answers each album with one message. Three parts of an
// album are handled as Telegram sends them; the Handler runs once, after
// the quiet period.
func Example() {
	engine := memory.New(memory.Options{}) // or sqlite.Open, redis.Open for a fleet
	defer engine.Close()
	bot, err := herald.New("123:example", herald.WithBackend(engine), herald.WithLogger(slog.New(slog.DiscardHandler)),
		herald.WithClientOptions(tg.WithBaseURL("http://127.0.0.1:1"))) // unused here
	if err != nil {
		log.Fatal(err)
	}
	done := make(chan struct{})
	col := album.New(album.Config{Quiet: 100 * time.Millisecond}, func(c *herald.Context, parts []*tg.Message) error {
		fmt.Printf("one album of %d parts, caption %q\n", len(parts), parts[0].Caption)
		close(done)
		return nil
	})
	col.Register(bot.Router())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go col.Run(ctx, bot)

	for i, caption := range []string{"holidays", "", ""} {
		id := int64(i + 1)
		err := bot.HandleUpdate(ctx, &tg.Update{UpdateID: id, Message: &tg.Message{
			MessageID: id, MediaGroupID: "g1", Caption: caption,
			Chat:  tg.Chat{ID: 42, Type: "private"},
			Photo: []tg.PhotoSize{{FileID: fmt.Sprint("photo", id)}},
		}})
		if err != nil {
			log.Fatal(err)
		}
	}
	<-done
	// Output: one album of 3 parts, caption "holidays"
}
