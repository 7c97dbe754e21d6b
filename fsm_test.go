package herald_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/tg"
)

var (
	order       = fsm.NewGroup("order")
	askAddress  = order.State("address")
	askQuantity = order.State("quantity")
)

type orderData struct {
	Address  string
	Quantity int
}

func msgUpdate(id, chat int64, text string) *tg.Update {
	return &tg.Update{UpdateID: id, Message: &tg.Message{MessageID: id, Date: 1, Text: text,
		Chat: tg.Chat{ID: chat, Type: "private"}, From: &tg.User{ID: chat, FirstName: "Ann"}}}
}

// orderBot is a two-step dialog routed on FSM state.
func orderBot(t *testing.T, store backend.State, log *[]string, mu *sync.Mutex) *herald.Bot {
	t.Helper()
	b, err := herald.New("1:x", herald.WithFSM(store, herald.FSMConfig{}), herald.WithErrorReply(""),
		herald.WithLogger(quiet()), herald.WithErrorHandler(func(c *herald.Context, err error) {
			mu.Lock()
			*log = append(*log, "error: "+err.Error())
			mu.Unlock()
		}))
	if err != nil {
		t.Fatal(err)
	}
	say := func(s string) { mu.Lock(); *log = append(*log, s); mu.Unlock() }
	r := b.Router()
	r.Command("order", func(c *herald.Context) error {
		say("ask address")
		return c.FSM().SetState(c, askAddress)
	})
	r.Message(func(c *herald.Context) error {
		say("ask quantity")
		return fsm.Set(c, c.FSM(), askQuantity, orderData{Address: c.Text()})
	}, herald.InState(askAddress))
	r.Message(func(c *herald.Context) error {
		d, err := fsm.GetData[orderData](c, c.FSM())
		if err != nil {
			return err
		}
		say("order to " + d.Address + " x" + c.Text())
		return c.FSM().Clear(c)
	}, herald.InState(askQuantity))
	r.Message(func(c *herald.Context) error { say("idle"); return nil }, herald.InState(fsm.NoState))
	return b
}

func TestFSMDialogAndStateFilter(t *testing.T) {
	store := memory.New(memory.Options{})
	defer store.Close()
	var log []string
	var mu sync.Mutex
	b := orderBot(t, store, &log, &mu)
	ctx := context.Background()
	for i, text := range []string{"hello", "/order", "Baker St 221b", "2", "again"} {
		if err := b.HandleUpdate(ctx, msgUpdate(int64(i+1), 7, text)); err != nil {
			t.Fatal(err)
		}
	}
	want := "idle|ask address|ask quantity|order to Baker St 221b x2|idle"
	if got := strings.Join(log, "|"); got != want {
		t.Errorf("dialog %q, want %q", got, want)
	}
}

// TestFSMCorruptStateGoesThroughErrorPath: bad stored data gives a clear
// error, never a panic, and Clear resets it.
func TestFSMCorruptStateGoesThroughErrorPath(t *testing.T) {
	store := memory.New(memory.Options{})
	defer store.Close()
	var log []string
	var mu sync.Mutex
	b := orderBot(t, store, &log, &mu)
	key := fsm.Key{BotID: 1, ChatID: 7, UserID: 7}
	if _, err := store.CompareAndSet(context.Background(), key, 0, fsm.Record{State: string(askQuantity), Data: []byte(`{"Address": 42`)}, 0); err != nil {
		t.Fatal(err)
	}
	err := b.HandleUpdate(context.Background(), msgUpdate(1, 7, "3"))
	if !errors.Is(err, fsm.ErrCorrupt) {
		t.Fatalf("HandleUpdate = %v, want ErrCorrupt", err)
	}
	if len(log) != 1 || !strings.Contains(log[0], "error:") {
		t.Errorf("log %v", log)
	}
}

// TestFSMWithoutStorage: a clear error, not a panic.
func TestFSMWithoutStorage(t *testing.T) {
	b, err := herald.New("1:x", herald.WithErrorReply(""), herald.WithLogger(quiet()))
	if err != nil {
		t.Fatal(err)
	}
	b.Router().Message(func(c *herald.Context) error { return c.FSM().SetState(c, askAddress) })
	if err := b.HandleUpdate(context.Background(), msgUpdate(1, 7, "x")); !errors.Is(err, herald.ErrNoFSM) {
		t.Errorf("err = %v, want ErrNoFSM", err)
	}
	b2, _ := herald.New("1:x", herald.WithErrorReply(""), herald.WithLogger(quiet()))
	b2.Router().Message(func(*herald.Context) error { return nil }, herald.InState(askAddress))
	if err := b2.HandleUpdate(context.Background(), msgUpdate(1, 7, "x")); !errors.Is(err, herald.ErrNoFSM) {
		t.Errorf("InState without storage: err = %v, want ErrNoFSM", err)
	}
}

func TestDedupAndOnce(t *testing.T) {
	store := memory.New(memory.Options{})
	defer store.Close()
	b, err := herald.New("1:x", herald.WithDedup(store), herald.WithErrorReply(""), herald.WithLogger(quiet()))
	if err != nil {
		t.Fatal(err)
	}
	var handled, orders atomic.Int64
	b.Router().Message(func(c *herald.Context) error {
		handled.Add(1)
		_, err := c.Once("confirm-order-42", time.Hour, func() error { orders.Add(1); return nil })
		return err
	})
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = b.HandleUpdate(ctx, msgUpdate(int64(100+i%10), int64(i), "confirm")) // ten ids, each five times
		}()
	}
	wg.Wait()
	if orders.Load() != 1 {
		t.Errorf("%d orders created, want exactly 1", orders.Load())
	}
	if h := handled.Load(); h != 10 { // concurrent copies of one update run once
		t.Errorf("handled %d", h)
	}
	// Sequential re-deliveries of handled updates are skipped.
	before := handled.Load()
	for i := range 10 {
		_ = b.HandleUpdate(ctx, msgUpdate(int64(100+i), 1, "confirm"))
	}
	if handled.Load() != before {
		t.Errorf("re-delivered updates were handled again (%d → %d)", before, handled.Load())
	}
	// Once releases its name when the action fails.
	calls := 0
	b2, _ := herald.New("1:x", herald.WithMarker(store), herald.WithErrorReply(""), herald.WithLogger(quiet()))
	b2.Router().Message(func(c *herald.Context) error {
		_, err := c.Once("flaky", time.Hour, func() error {
			calls++
			if calls == 1 {
				return errors.New("payment gateway down")
			}
			return nil
		})
		return err
	})
	_ = b2.HandleUpdate(ctx, msgUpdate(1, 1, "x"))
	_ = b2.HandleUpdate(ctx, msgUpdate(2, 1, "x"))
	_ = b2.HandleUpdate(ctx, msgUpdate(3, 1, "x"))
	if calls != 2 {
		t.Errorf("flaky action ran %d times, want 2 (fail, then succeed once)", calls)
	}
}

func TestChatLockSerializesInstances(t *testing.T) {
	store := memory.New(memory.Options{})
	defer store.Close()
	var inside, maxInside atomic.Int64
	var bots []*herald.Bot
	for range 3 {
		b, err := herald.New("1:x", herald.WithLocker(store, time.Second), herald.WithErrorReply(""), herald.WithLogger(quiet()))
		if err != nil {
			t.Fatal(err)
		}
		b.Router().Message(func(c *herald.Context) error {
			n := inside.Add(1)
			defer inside.Add(-1)
			for {
				m := maxInside.Load()
				if n <= m || maxInside.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			return nil
		})
		bots = append(bots, b)
	}
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = bots[i%3].HandleUpdate(context.Background(), msgUpdate(int64(i), 5, "same chat"))
		}()
	}
	wg.Wait()
	if maxInside.Load() != 1 {
		t.Errorf("%d handlers of one chat ran at once across instances, want 1", maxInside.Load())
	}
}
