package album_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/album"
	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/redis"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/tg"
)

const fleetToken = "7616:fleet"

// fleetConfig is the collectors' configuration. The quiet period must
// outlast the handling of one update of the chat: the album's next part
// waits for it, in the chat's lock, and the quiet period runs from when
// the previous part was handled, not from when the next one arrived.
// With three handles on one SQLite file, under the race detector, on a
// loaded two-core machine, that passed 1 s now and then, and 3 s with
// three -race runs and a full test run at once (an album split in two),
// so the tests allow 6 s.
var fleetConfig = album.Config{Quiet: 6 * time.Second, Sweep: 7 * time.Second}

// fleet is three bot instances on one token and one shared engine, each
// with its own handle on the engine (as separate processes would have)
// and its own collector. They run in this process: the instances share
// nothing but the engine, so the parts of an album and the checks that
// hand it over cross instances only through the engine's state, claims
// and chat locks.
type fleet struct {
	bots []*herald.Bot
	cols []*album.Collector

	mu    sync.Mutex
	calls map[string][][]int64 // media_group_id → the message ids of each call
}

func newFleet(t *testing.T, open func(t *testing.T) backend.Backend, cfg album.Config) *fleet {
	t.Helper()
	srv := emutest.Start(t, emutest.NoLimits())
	f := &fleet{calls: make(map[string][][]int64)}
	for range 3 {
		bot, err := herald.New(fleetToken, srv.Client(), herald.WithLogger(emutest.Quiet()), herald.WithBackend(open(t)))
		if err != nil {
			t.Fatal(err)
		}
		col := album.New(cfg, func(c *herald.Context, parts []*tg.Message) error {
			ids := make([]int64, len(parts))
			for i, p := range parts {
				ids[i] = p.MessageID
			}
			f.mu.Lock()
			f.calls[parts[0].MediaGroupID] = append(f.calls[parts[0].MediaGroupID], ids)
			f.mu.Unlock()
			return nil
		})
		col.Register(bot.Router())
		bot.Router().Message(func(*herald.Context) error { return nil })
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = col.Run(ctx, bot) }()
		t.Cleanup(func() { cancel(); <-done })
		f.bots, f.cols = append(f.bots, bot), append(f.cols, col)
	}
	return f
}

// albumSpec is one album sent in a test: its group and its message ids.
type albumSpec struct {
	group string
	ids   []int64
}

// wait polls until every album was handed over and no chat has pending
// parts left (so no check can hand one over again), then requires each
// album in exactly one call with all its parts in order.
func (f *fleet) wait(t *testing.T, st backend.State, albums []albumSpec) {
	t.Helper()
	botID, _ := tg.BotIDOf(fleetToken)
	emutest.Until(t, time.Minute, "every album handed over and nothing pending", func() bool {
		f.mu.Lock()
		n := len(f.calls)
		f.mu.Unlock()
		if n < len(albums) {
			return false
		}
		rec, err := st.Get(context.Background(), backend.Key{BotID: botID, UserID: -1})
		return err == nil && (rec.Version == 0 || string(rec.Data) == `{"chats":[]}`)
	})
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range albums {
		if got := f.calls[a.group]; len(got) != 1 || !slices.Equal(got[0], a.ids) {
			t.Errorf("album %s: calls %v, want one with %v", a.group, got, a.ids)
		}
	}
	if len(f.calls) != len(albums) {
		t.Errorf("%d albums handed over, want %d", len(f.calls), len(albums))
	}
}

// part is the update of one part of an album.
func part(updateID, chat, msgID int64, group string) *tg.Update {
	return &tg.Update{UpdateID: updateID, Message: &tg.Message{
		MessageID: msgID, Date: time.Now().Unix(), MediaGroupID: group,
		Chat:  tg.Chat{ID: chat, Type: "private"},
		From:  &tg.User{ID: chat, FirstName: "U"},
		Photo: []tg.PhotoSize{{FileID: fmt.Sprintf("f%d", msgID), FileUniqueID: fmt.Sprintf("u%d", msgID), Width: 2, Height: 2}},
	}}
}

// testFleet sends albums to chats in parallel, each chat's updates in
// order, and every part of an album to the next instance in turn (as a
// load balancer spreads webhook deliveries), with a text message between
// albums; then the fleet must hand each album over once.
func testFleet(t *testing.T, open func(t *testing.T) backend.Backend) {
	f := newFleet(t, open, fleetConfig)
	const chats, perChat = 6, 3
	var (
		mu     sync.Mutex
		albums []albumSpec
		wg     sync.WaitGroup
	)
	ctx := testkit.Context(t)
	for c := range int64(chats) {
		wg.Go(func() {
			chat := 1000 + c
			upd, msg := chat*1000, int64(0)
			next := int(c) // the instance of the next update
			send := func(u *tg.Update) {
				if err := f.bots[next%3].HandleUpdate(ctx, u); err != nil {
					t.Errorf("HandleUpdate on instance %d: %v", next%3, err)
				}
				next++
			}
			for a := range perChat {
				group := fmt.Sprintf("g%d-%d", chat, a)
				spec := albumSpec{group: group}
				for range 2 + (int(c)+a)%9 { // 2 to 10 parts
					upd, msg = upd+1, msg+1
					spec.ids = append(spec.ids, msg)
					send(part(upd, chat, msg, group))
				}
				upd, msg = upd+1, msg+1
				send(&tg.Update{UpdateID: upd, Message: &tg.Message{MessageID: msg, Chat: tg.Chat{ID: chat, Type: "private"}, Text: "hi"}})
				mu.Lock()
				albums = append(albums, spec)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	f.wait(t, f.bots[0].Backend().State(), albums)
}

// testFleetStops stops (as if killed) the collector of the instance that
// received the last part of an album before its quiet period ends: the
// other instances, which received earlier parts, hand it over. An album
// received by one instance only, stopped too, is found by the others'
// sweep.
func testFleetStops(t *testing.T, open func(t *testing.T) backend.Backend) {
	f := newFleet(t, open, fleetConfig)
	ctx := testkit.Context(t)
	handle := func(i int, u *tg.Update) {
		t.Helper()
		if err := f.bots[i].HandleUpdate(ctx, u); err != nil {
			t.Fatalf("HandleUpdate on instance %d: %v", i, err)
		}
	}
	// Album a: parts on instances 0, 1, 2; instance 2 stops at once.
	handle(0, part(1, 2001, 1, "a"))
	handle(1, part(2, 2001, 2, "a"))
	handle(2, part(3, 2001, 3, "a"))
	f.cols[2].Stop()
	// Album b: every part on instance 2, which no longer checks; in
	// another chat, so only the sweep of instances 0 and 1 finds it.
	handle(2, part(4, 2002, 1, "b"))
	handle(2, part(5, 2002, 2, "b"))
	f.wait(t, f.bots[0].Backend().State(), []albumSpec{{"a", []int64{1, 2, 3}}, {"b", []int64{1, 2}}})
}

func openSQLite(t *testing.T) func(t *testing.T) backend.Backend {
	path := filepath.Join(t.TempDir(), "herald.db")
	return func(t *testing.T) backend.Backend {
		s, err := sqlite.Open(testkit.Context(t), path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
}

func openRedis(t *testing.T) func(t *testing.T) backend.Backend {
	addr := testkit.NeedRedis(t)
	prefix := "herald-album-test-" + rand.Text()[:12]
	return func(t *testing.T) backend.Backend {
		s, err := redis.Open(testkit.Context(t), "redis://"+addr+"/0", redis.Options{Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
}

func TestFleetSQLite(t *testing.T)      { t.Parallel(); testFleet(t, openSQLite(t)) }
func TestFleetRedis(t *testing.T)       { t.Parallel(); testFleet(t, openRedis(t)) }
func TestFleetStopsSQLite(t *testing.T) { t.Parallel(); testFleetStops(t, openSQLite(t)) }
func TestFleetStopsRedis(t *testing.T)  { t.Parallel(); testFleetStops(t, openRedis(t)) }
