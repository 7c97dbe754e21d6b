package album_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/album"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/tg"
)

// call is one Handler call seen by a test.
type call struct {
	at  time.Duration // since the test's start
	ids []int64
}

// bubbleBot is a bot on a memory engine whose collector records its calls,
// for a synctest bubble; it never reaches the network.
func bubbleBot(t *testing.T, cfg album.Config, fail error) (*herald.Bot, *album.Collector, func() []call) {
	t.Helper()
	engine := memory.New(memory.Options{})
	bot, err := herald.New("99:bubble", herald.WithBackend(engine), herald.WithLogger(slog.New(slog.DiscardHandler)),
		herald.WithErrorReply(""), herald.WithClientOptions(tg.WithBaseURL("http://api.invalid")))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var mu sync.Mutex
	var calls []call
	col := album.New(cfg, func(c *herald.Context, parts []*tg.Message) error {
		ids := make([]int64, len(parts))
		for i, p := range parts {
			ids[i] = p.MessageID
		}
		mu.Lock()
		calls = append(calls, call{time.Since(start), ids})
		mu.Unlock()
		return fail
	})
	col.Register(bot.Router())
	t.Cleanup(func() { col.Stop(); _ = engine.Close() })
	return bot, col, func() []call {
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(calls)
	}
}

func handle(t *testing.T, bot *herald.Bot, id int64, group string) {
	t.Helper()
	start := time.Now()
	err := bot.HandleUpdate(context.Background(), part(id, 42, id, group))
	if err != nil {
		t.Fatalf("part %d: %v", id, err)
	}
	if d := time.Since(start); d != 0 {
		t.Fatalf("part %d took %v of the chat's turn, want none: the wait is off the update path", id, d)
	}
}

// TestQuietPeriod: the Handler runs exactly Quiet after the latest part,
// once, with the parts in message_id order; a part that comes after the
// album was handed over is handed over on its own.
func TestQuietPeriod(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bot, _, calls := bubbleBot(t, album.Config{Quiet: time.Second}, nil)
		handle(t, bot, 2, "g")
		time.Sleep(300 * time.Millisecond)
		handle(t, bot, 1, "g") // out of order
		time.Sleep(300 * time.Millisecond)
		handle(t, bot, 3, "g")
		time.Sleep(999 * time.Millisecond)
		if got := calls(); len(got) != 0 {
			t.Fatalf("handed over before the quiet period ended: %v", got)
		}
		time.Sleep(time.Millisecond)
		if got := calls(); len(got) != 1 || got[0].at != 1600*time.Millisecond || !slices.Equal(got[0].ids, []int64{1, 2, 3}) {
			t.Fatalf("calls = %v, want one at 1.6s with 1, 2, 3", got)
		}
		time.Sleep(time.Minute)
		if got := calls(); len(got) != 1 {
			t.Fatalf("calls = %v, want still one", got)
		}
		handle(t, bot, 4, "g") // late
		time.Sleep(time.Second)
		if got := calls(); len(got) != 2 || !slices.Equal(got[1].ids, []int64{4}) {
			t.Fatalf("calls = %v, want the late part on its own", got)
		}
	})
}

// TestCopies: a re-delivered part (the same message under another
// update id) is stored once.
func TestCopies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bot, _, calls := bubbleBot(t, album.Config{}, nil)
		handle(t, bot, 1, "g")
		handle(t, bot, 2, "g")
		handle(t, bot, 2, "g") // the same update: skipped by the bot
		if err := bot.HandleUpdate(context.Background(), part(9, 42, 2, "g")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(album.DefaultQuiet)
		if got := calls(); len(got) != 1 || !slices.Equal(got[0].ids, []int64{1, 2}) {
			t.Fatalf("calls = %v, want one with 1, 2", got)
		}
	})
}

// TestCollectSingles: Collect's Handler, registered for every message,
// hands a message without media_group_id over at once, as an album of
// one, and an album's parts together.
func TestCollectSingles(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		engine := memory.New(memory.Options{})
		defer engine.Close()
		bot, err := herald.New("99:bubble", herald.WithBackend(engine), herald.WithLogger(slog.New(slog.DiscardHandler)),
			herald.WithErrorReply(""), herald.WithClientOptions(tg.WithBaseURL("http://api.invalid")))
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var calls [][]int64
		bot.Router().Message(album.Collect(album.Config{}, func(c *herald.Context, parts []*tg.Message) error {
			mu.Lock()
			defer mu.Unlock()
			calls = append(calls, ids(parts))
			return nil
		}))
		seen := func() [][]int64 {
			synctest.Wait()
			mu.Lock()
			defer mu.Unlock()
			return slices.Clone(calls)
		}
		for id, group := range map[int64]string{1: "", 2: "g", 3: "g"} {
			if err := bot.HandleUpdate(context.Background(), part(id, 42, id, group)); err != nil {
				t.Fatal(err)
			}
		}
		if got := seen(); len(got) != 1 || !slices.Equal(got[0], []int64{1}) {
			t.Fatalf("calls = %v, want the single message at once", got)
		}
		time.Sleep(album.DefaultQuiet)
		if got := seen(); len(got) != 2 || !slices.Equal(got[1], []int64{2, 3}) {
			t.Fatalf("calls = %v, want the album after the quiet period", got)
		}
	})
}

// TestHandlerErrorIsFinal: a Handler's error goes the bot's error path
// and the album is not handed over again.
func TestHandlerErrorIsFinal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bot, col, calls := bubbleBot(t, album.Config{Quiet: time.Second}, errors.New("boom"))
		handle(t, bot, 1, "g")
		handle(t, bot, 2, "g")
		time.Sleep(time.Second)
		if err := col.Sweep(context.Background(), bot); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute)
		if got := calls(); len(got) != 1 {
			t.Fatalf("calls = %v, want one", got)
		}
	})
}

// TestSweepFindsAbandonedAlbums: an album whose instance stopped checking
// is handed over by the sweep of another collector on the same engine,
// and by nobody before it is quiet.
func TestSweepFindsAbandonedAlbums(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bot, col, calls := bubbleBot(t, album.Config{Quiet: time.Second, Sweep: 10 * time.Second}, nil)
		col.Stop() // as if it died: it stores parts but never checks
		handle(t, bot, 1, "g")
		handle(t, bot, 2, "g")
		time.Sleep(time.Minute)
		if got := calls(); len(got) != 0 {
			t.Fatalf("calls = %v from a stopped collector", got)
		}
		// A second collector of the same Handler would be another
		// process; here the sweep of the stopped one is run by hand.
		if err := col.Sweep(context.Background(), bot); err != nil {
			t.Fatal(err)
		}
		if got := calls(); len(got) != 1 || !slices.Equal(got[0].ids, []int64{1, 2}) {
			t.Fatalf("calls = %v, want the album from the sweep", got)
		}
	})
}

func ids(parts []*tg.Message) []int64 {
	out := make([]int64, len(parts))
	for i, p := range parts {
		out[i] = p.MessageID
	}
	return out
}
