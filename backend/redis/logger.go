package redis

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	goredis "github.com/redis/go-redis/v9"
)

// go-redis v9 writes its own log lines (a pool that cannot dial, a
// connection closed with an error, a push notification it could not
// process) to one logger for the whole process, set with
// goredis.SetLogger; it has no per-client logger. By default they go to
// stderr through the standard log package, past the bot's slog handler.
//
// Options.Logger (or SetLogger) routes them to a slog.Logger instead.
// Because the logger is global, the last Store made with a Logger (or the
// last SetLogger call) receives the lines of every go-redis client of the
// process, its own and the others'. Swapping it is safe at any time, with
// clients running: the adapter is installed into go-redis once and reads
// the current logger atomically.

// redisLog is the slog.Logger go-redis's lines go to (nil: not routed yet).
var redisLog atomic.Pointer[slog.Logger]

// installLogger installs the adapter into go-redis, once.
var installLogger sync.Once

// SetLogger sends the log lines of every go-redis client of the process
// to l, at level Warn (go-redis logs only what went wrong, without a
// level), with the attribute component=go-redis and the "redis: "
// prefix removed. A nil l discards them. It replaces the logger of an
// earlier call or Options.Logger: the last one wins. A later
// goredis.SetLogger call of your own replaces the adapter itself.
func SetLogger(l *slog.Logger) {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	redisLog.Store(l)
	installLogger.Do(func() { goredis.SetLogger(slogAdapter{}) })
}

// slogAdapter is go-redis's Logging interface over redisLog.
type slogAdapter struct{}

// Printf logs one go-redis line, with ctx (so that a handler can add the
// trace of the call that failed, when there is one).
func (slogAdapter) Printf(ctx context.Context, format string, v ...any) {
	l := redisLog.Load()
	if l == nil {
		return
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if !l.Enabled(ctx, slog.LevelWarn) {
		return
	}
	msg := strings.TrimPrefix(fmt.Sprintf(format, v...), "redis: ")
	l.LogAttrs(ctx, slog.LevelWarn, msg, slog.String("component", "go-redis"))
}
