package herald_test

// The child-process harness of the delivery tests (delivery_*_test.go):
// the test binary re-runs itself as a bot process (TestDeliveryChildProcess)
// talking to the parent's emulator over HTTP and to a real Redis, so that a
// test can run several bots at once and SIGKILL them.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald"
	redisstore "github.com/heraldbot/herald/backend/redis"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
	"github.com/heraldbot/herald/txonce"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// Environment of a child bot process.
const (
	envChildScenario = "HERALD_DELIVERY_CHILD"  // what the bot does: see TestDeliveryChildProcess
	envChildToken    = "HERALD_DELIVERY_TOKEN"  // the bot's token (its id is the Redis bot id)
	envChildPrefix   = "HERALD_DELIVERY_PREFIX" // Redis key prefix of this test run
	envChildName     = "HERALD_DELIVERY_NAME"   // the process's name, written into its effects
	envChildSecret   = "HERALD_DELIVERY_SECRET" // the webhook secret
	envChildDB       = "HERALD_DELIVERY_DB"     // PostgreSQL URL of the polling-once effects (txonce)
	childLine        = "HERALD-CHILD "          // prefix of the protocol lines a child prints
)

// deliveryRun is one delivery test's fleet set-up: the emulator, a Redis,
// a fresh bot (token) and a key prefix that the test removes at the end.
type deliveryRun struct {
	t      *testing.T
	w      *world
	redis  string // address
	rc     *goredis.Client
	token  string
	botID  int64
	prefix string
	secret string
}

func newDeliveryRun(t *testing.T, name string) *deliveryRun {
	t.Helper()
	addr := testkit.NeedRedis(t)
	n, err := rand.Int(rand.Reader, big.NewInt(900_000_000))
	if err != nil {
		t.Fatal(err)
	}
	botID := 100_000_000 + n.Int64()
	var b [6]byte
	_, _ = rand.Read(b[:])
	d := &deliveryRun{
		t: t, w: newWorld(t), redis: addr,
		token: fmt.Sprintf("%d:%s", botID, name), botID: botID,
		prefix: "heraldtest-" + hex.EncodeToString(b[:]),
		secret: "delivery-" + hex.EncodeToString(b[:]),
	}
	d.rc = goredis.NewClient(&goredis.Options{Addr: addr, ContextTimeoutEnabled: true})
	t.Cleanup(func() {
		// Remove this run's keys (done marks live for 24 h otherwise).
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := d.rc.Scan(ctx, 0, d.prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
			if len(keys) == 500 {
				d.rc.Unlink(ctx, keys...)
				keys = keys[:0]
			}
		}
		if len(keys) > 0 {
			d.rc.Unlink(ctx, keys...)
		}
		d.rc.Close()
	})
	return d
}

// runsKey is the Redis counter a "dup" child increments for an update.
func runsKey(prefix string, updateID int64) string {
	return prefix + ":runs:" + strconv.FormatInt(updateID, 10)
}

// child is a bot process.
type child struct {
	t     *testing.T
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   syncBuffer
	lines chan string // protocol lines (without the prefix)
	done  chan struct{}
	state *os.ProcessState
	addr  string // its webhook address, for webhook scenarios
}

// syncBuffer collects a child's output for the failure log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) tail(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.b.Bytes()
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// start runs the test binary as a child bot of scenario; webhook
// scenarios wait for the child's listening address.
func (d *deliveryRun) start(scenario, name string, extraEnv ...string) *child {
	t := d.t
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDeliveryChildProcess$", "-test.count=1", "-test.timeout=10m")
	env := []string{}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "HERALD_") && !strings.HasPrefix(kv, "HERALD_DELIVERY_DEBUG=") { // the parent's own settings (HERALD_MODE, …) must not leak in
			continue
		}
		env = append(env, kv)
	}
	cmd.Env = append(env,
		envChildScenario+"="+scenario, envChildToken+"="+d.token, envChildPrefix+"="+d.prefix,
		envChildName+"="+name, envChildSecret+"="+d.secret,
		"HERALD_REDIS_ADDR="+d.redis, herald.EnvAPIURL+"="+d.w.URL)
	cmd.Env = append(cmd.Env, extraEnv...)
	c := &child{t: t, name: name, cmd: cmd, lines: make(chan string, 16), done: make(chan struct{})}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.stdin = stdin
	cmd.Stderr = &c.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(&c.out, line)
			if rest, ok := strings.CutPrefix(line, childLine); ok {
				select {
				case c.lines <- rest:
				default:
				}
			}
		}
		_ = cmd.Wait()
		c.state = cmd.ProcessState
		close(c.done)
	}()
	t.Cleanup(func() {
		c.kill()
		if t.Failed() || os.Getenv("HERALD_DELIVERY_DEBUG") != "" {
			t.Logf("output of bot process %s (%v), last lines:\n%s", c.name, c.state, c.out.tail(3000))
		}
	})
	if strings.HasPrefix(scenario, "webhook") {
		c.addr = c.expect("listen ", 60*time.Second)
	}
	return c
}

// expect waits for the protocol line starting with prefix and returns
// the rest.
func (c *child) expect(prefix string, d time.Duration) string {
	c.t.Helper()
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case l := <-c.lines:
			if rest, ok := strings.CutPrefix(l, prefix); ok {
				return rest
			}
		case <-c.done:
			c.t.Fatalf("bot process %s exited (%v) before printing %q:\n%s", c.name, c.state, prefix, c.out.tail(3000))
		case <-timer.C:
			c.t.Fatalf("bot process %s did not print %q within %v:\n%s", c.name, prefix, d, c.out.tail(3000))
		}
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *child) kill() {
	select {
	case <-c.done:
		return
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.done
}

// stop asks the child to shut down gracefully (it stops when its stdin
// closes) and kills it if it has not exited within d.
func (c *child) stop(d time.Duration) {
	_ = c.stdin.Close()
	select {
	case <-c.done:
	case <-time.After(d):
		c.t.Errorf("bot process %s did not stop within %v of being asked; killed", c.name, d)
		c.kill()
	}
}

// post POSTs an update to a child's webhook as Telegram would and returns
// the status.
func (d *deliveryRun) post(hc *http.Client, addr string, body []byte) (int, error) {
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(source.SecretHeader, d.secret)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// messageJSON is a message update from user in their private chat.
func messageJSON(t *testing.T, id int64, from tg.User, text string) []byte {
	t.Helper()
	u := tg.Update{UpdateID: id, Message: &tg.Message{MessageID: id, Date: time.Now().Unix(), Text: text,
		Chat: tg.Chat{ID: from.ID, Type: "private", FirstName: from.FirstName}, From: &from}}
	b, err := json.Marshal(&u)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDeliveryChildProcess is a bot process of the delivery tests; it
// does nothing when run on its own. It runs until its stdin closes (a
// graceful stop) or it is killed. Scenarios:
//
//   - webhook-dup: webhook, WithDedup + WithLocker + WithMarker on Redis;
//     a message increments runsKey in Redis and replies "ran <id> by <name>".
//   - polling-once: long polling, WithDedup on Redis; a message "<text>"
//     first writes a row (chat, text, name) into the effects table of the
//     PostgreSQL schema envChildDB inside txonce.Do("msg:"+text), the effect and
//     its mark in one transaction, then is answered "ack <text> #<name>"
//     inside c.Once("msg:"+text), except that "hold <name>" blocks in the
//     process named so.
//   - webhook-lock: webhook, WithDedup + WithLocker(store, 0); "block"
//     replies "blocking" and then blocks, anything else replies "ok <text>".
func TestDeliveryChildProcess(t *testing.T) {
	scenario := os.Getenv(envChildScenario)
	if scenario == "" {
		t.Skip("a helper process of the delivery tests (delivery_*_test.go)")
	}
	token, prefix, name := os.Getenv(envChildToken), os.Getenv(envChildPrefix), os.Getenv(envChildName)
	botID, err := strconv.ParseInt(token[:strings.IndexByte(token, ':')], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // the parent closed stdin (or died): stop
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	rc := goredis.NewClient(&goredis.Options{Addr: os.Getenv("HERALD_REDIS_ADDR"), ContextTimeoutEnabled: true})
	defer rc.Close()
	store := redisstore.New(rc, botID, redisstore.Options{Prefix: prefix})
	level := slog.LevelWarn
	if os.Getenv("HERALD_DELIVERY_DEBUG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	opts := []herald.Option{
		herald.WithLogger(log), herald.WithoutLimiter(), herald.WithErrorReply(""), herald.WithDedup(store),
		herald.WithErrorHandler(func(c *herald.Context, err error) {
			log.Error("HANDLER ERROR", "update_id", c.Update.UpdateID, "err", err)
		}),
	}
	if strings.HasPrefix(scenario, "webhook") {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		opts = append(opts, herald.WithWebhook(herald.WebhookConfig{Listener: ln, SecretToken: os.Getenv(envChildSecret),
			Logger: log}))
		fmt.Printf("%slisten %s\n", childLine, ln.Addr())
	} else {
		opts = append(opts, herald.WithPolling(source.PollerConfig{Timeout: time.Second, Logger: log}))
	}
	switch scenario {
	case "webhook-dup":
		opts = append(opts, herald.WithLocker(store, 0), herald.WithMarker(store))
	case "webhook-lock":
		opts = append(opts, herald.WithLocker(store, 0))
	}
	b, err := herald.New(token, append(opts, herald.ConfigFromEnv())...)
	if err != nil {
		t.Fatal(err)
	}
	switch scenario {
	case "webhook-dup":
		b.Router().Message(func(c *herald.Context) error {
			id := c.Update.UpdateID
			n, err := rc.Incr(c, runsKey(prefix, id)).Result()
			if err != nil {
				return herald.Unavailable(err)
			}
			time.Sleep(20 * time.Millisecond) // long enough for the other copies to arrive meanwhile
			_, err = c.Reply(fmt.Sprintf("ran %d by %s (run %d)", id, name, n))
			return err
		})
	case "polling-once":
		db, err := sql.Open("pgx", os.Getenv(envChildDB))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		// Keep the connections open: database/sql keeps only two idle by
		// default, and a new PostgreSQL connection per transaction made
		// this scenario ten times slower. 16 leave room in the server's
		// max_connections (100) for the packages tested alongside.
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(16)
		b.Router().Message(func(c *herald.Context) error {
			text := c.Text()
			if text == "hold "+name {
				// Stuck until the process is killed, holding the polling
				// offset back: the updates after it are handled but not
				// confirmed to Telegram when the process dies.
				<-c.Done()
				return c.Err()
			}
			if err := writeEffect(c, db, c.Chat().ID, text, name); err != nil {
				return herald.Unavailable(err)
			}
			_, err := c.Once("msg:"+text, time.Hour, func() error {
				_, err := c.Reply("ack " + text + " #" + name)
				return err
			})
			return err
		})
	case "webhook-lock":
		b.Router().Message(func(c *herald.Context) error {
			if c.Text() == "block" {
				if _, err := c.Reply("blocking"); err != nil {
					return err
				}
				<-c.Done() // holds the chat's lock until the process dies
				return c.Err()
			}
			_, err := c.Reply("ok " + c.Text())
			return err
		})
	default:
		t.Fatalf("unknown scenario %q", scenario)
	}
	if err := b.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

// effectsSchema is the table of the polling-once scenario's SQL effects.
const effectsSchema = `CREATE TABLE IF NOT EXISTS effects (seq BIGSERIAL PRIMARY KEY, chat BIGINT NOT NULL, text TEXT NOT NULL, by TEXT NOT NULL)`

// writeEffect records that text was handled, once: the row and its
// txonce mark commit together or not at all.
func writeEffect(ctx context.Context, db *sql.DB, chat int64, text, name string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := txonce.Do(ctx, tx, "msg:"+text, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO effects (chat, text, by) VALUES ($1, $2, $3)`, chat, text, name)
		return err
	}); err != nil {
		return err
	}
	return tx.Commit()
}
