package shopbot_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/examples/shop/shopbot"
	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/middleware"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

const token = "424242:shop-test"

// world is an emulator over HTTP on 127.0.0.1 and the shop's storage.
type world struct {
	*emutest.Server
	path, dsn string // SQLite file; PostgreSQL URL or ""
	storage   *storage
	stop      func()
}

// storage is what a shop's main opens: the bot's engine and the shop's
// database. Tests keep the engine in a SQLite file, so that a checkout
// survives a restart.
type storage struct {
	Engine *sqlite.Store
	DB     *service.DB
}

func openStorage(ctx context.Context, path, dsn string) (*storage, error) {
	engine, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return nil, err
	}
	if dsn == "" {
		dsn = path
	}
	db, err := service.Open(ctx, dsn)
	if err != nil {
		engine.Close()
		return nil, err
	}
	return &storage{Engine: engine, DB: db}, nil
}

func (s *storage) Close() error { return errors.Join(s.DB.Close(), s.Engine.Close()) }

func newWorld(t *testing.T, dsn string) *world {
	t.Helper()
	return &world{Server: emutest.Start(t, emutest.NoLimits()), path: filepath.Join(t.TempDir(), "shop.db"), dsn: dsn}
}

// start opens the storage and runs the shop bot until stop; tweak, if
// given, changes the shop's configuration first.
func (w *world) start(t *testing.T, tweak ...func(*shopbot.Config)) {
	t.Helper()
	ctx := context.Background()
	st, err := openStorage(ctx, w.path, w.dsn)
	if err != nil {
		t.Fatal(err)
	}
	quiet := emutest.Quiet()
	cfg := shopbot.Config{
		DB: st.DB, Admins: []int64{1}, Logger: quiet, BroadcastResume: 200 * time.Millisecond,
		Limits: limit.Config{Global: limit.Unlimited, Chat: limit.Unlimited, Group: limit.Unlimited},
		Flood:  middleware.ThrottleConfig{Rate: -1},
	}
	for _, f := range tweak {
		f(&cfg)
	}
	bot, shop, err := shopbot.NewBot(token, cfg,
		herald.WithBackend(st.Engine),
		w.Client(),
		herald.WithPolling(source.PollerConfig{Timeout: time.Second, Logger: quiet}),
	)
	if err != nil {
		t.Fatal(err)
	}
	stopBot := emutest.Run(t, bot)
	w.storage = st
	w.stop = sync.OnceFunc(func() {
		if err := stopBot(); err != nil {
			t.Errorf("Run: %v", err)
		}
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := shop.Close(cctx); err != nil {
			t.Errorf("closing the shop: %v", err)
		}
		if err := st.Close(); err != nil {
			t.Errorf("closing the storage: %v", err)
		}
	})
	t.Cleanup(w.stop)
}

// chat is a customer of the shop.
func (w *world) chat(t *testing.T, id int64, name string) *emutest.Chat {
	return w.Chat(t, token, tg.User{ID: id, FirstName: name})
}
