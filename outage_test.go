package herald_test

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald"
	redisstore "github.com/heraldbot/herald/backend/redis"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/internal/testkit"
)

// ownRedis starts a redis-server this test owns, on a free port.
func ownRedis(t *testing.T, port int) (stop func()) {
	t.Helper()
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	emutest.Until(t, 10*time.Second, "redis-server to listen", func() bool {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	var once sync.Once
	stop = func() { once.Do(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }) }
	t.Cleanup(stop)
	return stop
}

// outageRedis is a redis-server the test owns, so that it can stop it,
// and a store on it whose client gives up quickly while it is down.
type outageRedis struct {
	port  int
	stop  func()
	store *redisstore.Store
}

func newOutageRedis(t *testing.T, botID int64) outageRedis {
	t.Helper()
	testkit.NeedRedis(t) // skip rules for Redis tests
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	stop := ownRedis(t, port)
	rc := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), ContextTimeoutEnabled: true,
		MaxRetries: 1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { rc.Close() })
	return outageRedis{port: port, stop: stop, store: redisstore.New(rc, botID, redisstore.Options{})}
}

// TestRedisOutage: while Redis is down, an update whose handler needs
// state is not handled: HandleUpdate returns a clear error naming the
// server that matches herald.ErrUnavailable (the update must be delivered
// again), and the error handler does not see it (the user is not told
// "something went wrong" for an update that will be handled later). A
// handler's own error still goes through the error path, a handler that
// needs no state still runs, and when Redis is back state works again.
func TestRedisOutage(t *testing.T) {
	o := newOutageRedis(t, 77)
	port, stop, store := o.port, o.stop, o.store
	var mu sync.Mutex
	var errs []error
	b, err := herald.New("77:x", herald.WithFSM(store, herald.FSMConfig{}), herald.WithErrorReply(""), herald.WithLogger(quiet()),
		herald.WithErrorHandler(func(c *herald.Context, err error) { mu.Lock(); errs = append(errs, err); mu.Unlock() }))
	if err != nil {
		t.Fatal(err)
	}
	seen := func() []error { mu.Lock(); defer mu.Unlock(); return slices.Clone(errs) }
	counted := 0
	b.Router().Command("ping", func(c *herald.Context) error { counted++; return nil }) // needs no state
	b.Router().Command("fail", func(c *herald.Context) error { return errors.New("the handler's own bug") })
	b.Router().Command("down", func(c *herald.Context) error { // a dependency of the handler's own is down
		return herald.Unavailable(errors.New("payment service unreachable"))
	})
	b.Router().Message(func(c *herald.Context) error {
		return fsm.Update(c, c.FSM(), func(s *fsm.State, n *int) error { *n++; return nil })
	})
	handle := func(id int64, text string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return b.HandleUpdate(ctx, msgUpdate(id, 9, text))
	}
	if err := handle(1, "count"); err != nil {
		t.Fatal(err)
	}
	if err := handle(2, "/down"); !errors.Is(err, herald.ErrUnavailable) || !strings.Contains(err.Error(), "payment service") {
		t.Errorf("a handler returning herald.Unavailable: %v, want an error matching ErrUnavailable", err)
	}

	stop() // Redis goes away
	err = handle(3, "count")
	if !errors.Is(err, herald.ErrUnavailable) || !strings.Contains(err.Error(), "backend/redis") || !strings.Contains(err.Error(), "127.0.0.1:"+strconv.Itoa(port)) {
		t.Errorf("while Redis is down: %v, want a clear backend/redis error naming the server, matching herald.ErrUnavailable", err)
	}
	if err := handle(4, "/ping"); err != nil || counted != 1 {
		t.Errorf("a handler without state failed while Redis was down: %v", err)
	}
	if err := handle(5, "/fail"); err == nil || errors.Is(err, herald.ErrUnavailable) {
		t.Errorf("a handler's own error while Redis was down: %v, want it, not ErrUnavailable", err)
	}
	if got := seen(); len(got) != 1 || !strings.Contains(got[0].Error(), "the handler's own bug") {
		t.Errorf("the error handler saw %v, want only the handler's own error (not the outage, not Unavailable)", got)
	}
	// The update that was not handled is handled when delivered again.
	ownRedis(t, port) // Redis is back (empty: it keeps nothing on disk)
	emutest.Until(t, 10*time.Second, "the store to work again", func() bool { return handle(3, "count") == nil })
	n, err := fsm.GetData[int](context.Background(), fsm.NewContext(store, fsm.Key{BotID: 77, ChatID: 9, UserID: 9}, fsm.Options{}))
	if err != nil || n != 1 {
		t.Errorf("after recovery: count %d, %v; want 1 (the re-delivered update, on an empty Redis)", n, err)
	}
	if err := handle(3, "count"); err != nil {
		t.Errorf("a copy of an update handled before: %v", err)
	}
	if n, _ := fsm.GetData[int](context.Background(), fsm.NewContext(store, fsm.Key{BotID: 77, ChatID: 9, UserID: 9}, fsm.Options{})); n != 1 {
		t.Errorf("a copy of an update handled before was handled again: count %d, want 1", n)
	}
	if got := seen(); len(got) != 1 {
		t.Errorf("the error handler saw %v, want only the handler's own error", got)
	}
}
