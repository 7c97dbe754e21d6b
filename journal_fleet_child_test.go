package herald_test

// The bot processes of TestJournalFleet (journal_fleet_test.go): the test
// binary re-run as a journal receiver or a journal worker, on the
// emulator over HTTP and the test's own redis-server.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald"
	redisstore "github.com/heraldbot/herald/backend/redis"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// Environment of a fleet process (besides herald.EnvRole and
// herald.EnvAPIURL, which herald.ConfigFromEnv reads).
const (
	envFleetChild = "HERALD_JFLEET_CHILD" // set: the process is a fleet bot (its role is in HERALD_ROLE)
	envFleetName  = "HERALD_JFLEET_NAME"  // the process's name: r0, r1 … receivers, w0, w1 … workers
	envFleetRedis = "HERALD_JFLEET_REDIS" // address of the test's redis-server
	envFleetDebug = "HERALD_JFLEET_DEBUG" // set: the processes log at debug level, and the parent shows their logs
)

// The fleet's bot.
const (
	fleetBotID = 7700
	fleetToken = "7700:fleet"
)

// Keys of the test's own records in the test's Redis, next to the bot's.
const (
	fleetEffects = "jfleet:effects" // update id → times the effect was done
	fleetRuns    = "jfleet:runs"    // update id → the last run that did it ("<process>/<n>")
	fleetRepeats = "jfleet:repeats" // list of "<update id> <previous run> <run>", one per effect done again
	fleetEntries = "jfleet:entries" // update id → the append nonce of the journal entry that carried it
	fleetDoubles = "jfleet:doubles" // list of "<update id> <nonce> <other nonce>": one update in two entries
)

// Meta keys the receivers add to each entry (JournalConfig.Inject).
const (
	fleetMetaUpdate = "jfleet-u" // the update id
	fleetMetaNonce  = "jfleet-n" // "<receiver>/<n>", new at every append attempt
)

// fleetEffect does the effect of one run of a handler: it counts the
// update's effect, once per run (a client retry of the same run after a
// lost reply does not count again), and records the run, and the run
// before it when the effect is done again.
var fleetEffect = goredis.NewScript(`
local prev = redis.call('HGET', KEYS[2], ARGV[1])
if prev == ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
if n > 1 then
  redis.call('RPUSH', KEYS[3], ARGV[1] .. ' ' .. tostring(prev) .. ' ' .. ARGV[2])
end
return n
`)

// fleetEntry records the nonce of the entry a worker took an update
// from; a second nonce for one update means the journal held the update
// twice.
var fleetEntry = goredis.NewScript(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 0
end
if cur ~= ARGV[2] then
  redis.call('RPUSH', KEYS[2], ARGV[1] .. ' ' .. cur .. ' ' .. ARGV[2])
  return 1
end
return 0
`)

// fleetHoldText is the message that makes receiver name stop (see
// TestJournalFleetChildProcess).
func fleetHoldText(name string) string { return "hold-receiver " + name }

// TestJournalFleetChildProcess is a bot process of TestJournalFleet; it
// does nothing when run on its own. It runs with the bot's Redis store
// (herald.WithBackend) and its Redis journal, as herald.EnvRole says,
// until SIGTERM (a graceful stop) or SIGKILL.
//
//   - A worker handles a message "<text>" inside c.Once("effect:<update
//     id>"): it replies "ack <text> #<name>", then does the effect
//     (fleetEffect), retrying it while Redis is away, so that an outage
//     never makes Once run the reply again. The worker records, before
//     handling, the nonce of the journal entry the update came in
//     (fleetEntry, from JournalConfig.Extract).
//   - A receiver long-polls the emulator and appends to the journal,
//     tagging each entry with the update id and a nonce
//     (JournalConfig.Inject). Receiver <name>, once a getUpdates answer
//     held the message fleetHoldText(<name>), blocks its next getUpdates
//     after printing "held": that batch is in the journal and not
//     confirmed to the emulator, which delivers it again to the next
//     receiver. Every receiver prints "saw <text>" when it gets a hold
//     message.
func TestJournalFleetChildProcess(t *testing.T) {
	if os.Getenv(envFleetChild) == "" {
		t.Skip("a helper process of TestJournalFleet")
	}
	name := os.Getenv(envFleetName)
	// SIGTERM stops the process gracefully; so does the end of stdin,
	// which comes when the parent dies.
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer cancel()
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); cancel() }()
	level := slog.LevelWarn
	if os.Getenv(envFleetDebug) != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})).With("process", name)
	// Give up on a dead server quickly: the bot retries by itself.
	rc := goredis.NewClient(&goredis.Options{Addr: os.Getenv(envFleetRedis), ContextTimeoutEnabled: true,
		DialTimeout: 500 * time.Millisecond})
	defer rc.Close()
	store := redisstore.New(rc, fleetBotID, redisstore.Options{})
	if store.Journal() == nil {
		t.Fatal("the Redis store has no journal")
	}

	var nonces atomic.Int64
	cfg := herald.JournalConfig{
		Inject: func(_ context.Context, u *tg.Update, meta map[string]string) {
			meta[fleetMetaUpdate] = strconv.FormatInt(u.UpdateID, 10)
			meta[fleetMetaNonce] = name + "/" + strconv.FormatInt(nonces.Add(1), 10)
		},
		Extract: func(ctx context.Context, meta map[string]string) context.Context {
			id, nonce := meta[fleetMetaUpdate], meta[fleetMetaNonce]
			if id == "" || nonce == "" {
				log.Error("FLEET: an entry without the receiver's meta", "meta", meta)
				return ctx
			}
			err := retryRedis(ctx, func() error {
				return fleetEntry.Run(ctx, rc, []string{fleetEntries, fleetDoubles}, id, nonce).Err()
			})
			if err != nil {
				log.Error("FLEET: could not record an entry's nonce", "update_id", id, "err", err)
			}
			return ctx
		},
	}
	var armed atomic.Bool
	hold := func(next tg.Caller) tg.Caller {
		return tg.CallerFunc(func(cctx context.Context, method string, params, result any) error {
			if method == "getUpdates" && armed.Load() {
				fmt.Printf("%sheld\n", childLine)
				<-ctx.Done() // until killed
				return ctx.Err()
			}
			err := next.Call(cctx, method, params, result)
			if ups, ok := result.(*[]tg.Update); ok && method == "getUpdates" && err == nil {
				for _, u := range *ups {
					if u.Message == nil || !strings.HasPrefix(u.Message.Text, fleetHoldText("")) {
						continue
					}
					fmt.Printf("%ssaw %s\n", childLine, u.Message.Text)
					if u.Message.Text == fleetHoldText(name) {
						armed.Store(true)
					}
				}
			}
			return err
		})
	}
	b, err := herald.New(fleetToken,
		herald.WithLogger(log), herald.WithoutLimiter(), herald.WithErrorReply(""),
		herald.WithBackend(store), herald.WithJournal(store.Journal(), cfg),
		herald.WithPolling(source.PollerConfig{Timeout: time.Second, Logger: log}),
		herald.WithClientOptions(tg.WithMiddleware(hold)),
		herald.WithErrorHandler(func(c *herald.Context, err error) {
			log.Error("FLEET: HANDLER ERROR", "update_id", c.Update.UpdateID, "err", err)
		}),
		herald.ConfigFromEnv())
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", os.Getenv(envChildDB))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A few connections per worker: four workers at once (and the other
	// packages' tests) share the server's max_connections (100).
	db.SetMaxOpenConns(6)
	db.SetMaxIdleConns(6)
	var runs atomic.Int64
	b.Router().Message(func(c *herald.Context) error {
		id := strconv.FormatInt(c.Update.UpdateID, 10)
		text := c.Text()
		_, err := c.Once("effect:"+id, time.Hour, func() error {
			if _, err := c.Reply("ack " + text + " #" + name); err != nil {
				return herald.Unavailable(err) // the emulator is always up: only a stop gets here
			}
			run := name + "/" + strconv.FormatInt(runs.Add(1), 10)
			if err := retryRedis(c, func() error {
				return fleetEffect.Run(c, rc, []string{fleetEffects, fleetRuns, fleetRepeats}, id, run).Err()
			}); err != nil {
				return err
			}
			// The SQL effect and its once-mark in one transaction: done
			// exactly once however often this runs.
			if c.Chat().ID == fleetHoldChat {
				return nil
			}
			return retryRedis(c, func() error { return writeEffect(c, db, c.Chat().ID, text, name) })
		})
		return err
	})
	fmt.Printf("%sstarted\n", childLine)
	if err := b.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

// retryRedis calls f until it succeeds, for up to 30 s (a Redis restart
// takes a few), or until ctx ends; it returns f's last error then,
// marked herald.Unavailable.
func retryRedis(ctx context.Context, f func() error) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := f()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return herald.Unavailable(errors.Join(err, ctx.Err()))
		}
		t := time.NewTimer(100 * time.Millisecond)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}
