package redis_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend/redis"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/tg"
)

// Environment of a child sender process (see TestLimiterChildProcess).
const (
	envChild = "HERALD_LIMIT_CHILD"
	envURL   = "HERALD_LIMIT_URL"
	envToken = "HERALD_LIMIT_TOKEN"
	envBot   = "HERALD_LIMIT_BOT"
	envFirst = "HERALD_LIMIT_FIRST"
	envCount = "HERALD_LIMIT_COUNT"
)

// TestLimiterFleetOfProcesses: three separate OS processes (this test
// binary, re-run as senders), each with its own Redis connection and
// limiter, send 30 messages each to the emulator with Telegram's limits on.
// Together they stay at 30 messages/s: zero 429s, and the 90 messages take
// at least the 89/30 s the global limit requires.
func TestLimiterFleetOfProcesses(t *testing.T) {
	c := limiterRedis(t)
	bot := limiterBot(t, c)
	const perProcess, processes = 30, 3
	emu := emulator.New(emulator.Options{}) // Telegram's limits, real clock
	defer emu.Close()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	token := fmt.Sprintf("%d:fleet-processes", bot)
	for id := int64(1); id <= perProcess*processes; id++ {
		if _, err := emu.SendMessage(context.Background(), emulator.UserMessage{Token: token, From: tg.User{ID: id, FirstName: "U"}, Text: "/start"}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	var cmds []*exec.Cmd
	for p := range processes {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestLimiterChildProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(),
			envChild+"=1", envURL+"="+srv.URL, envToken+"="+token, envBot+"="+strconv.FormatInt(bot, 10),
			envFirst+"="+strconv.Itoa(1+p*perProcess), envCount+"="+strconv.Itoa(perProcess),
			"HERALD_REDIS_ADDR="+c.Options().Addr)
		out := &childOutput{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("process %d output:\n%s", p, out.b)
			}
		})
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("sender process %d: %v", i, err)
		}
	}
	took := time.Since(start)
	st, err := emu.Stats(token)
	if err != nil {
		t.Fatal(err)
	}
	total := perProcess * processes
	t.Logf("%d messages from %d processes in %v (%.1f/s); emulator 429s: %d", total, processes, took, float64(total)/took.Seconds(), st.TooManyRequests)
	if st.TooManyRequests != 0 || st.Requests["sendMessage"] != int64(total) {
		t.Fatalf("emulator saw %d sendMessage and %d 429s; want %d and 0", st.Requests["sendMessage"], st.TooManyRequests, total)
	}
	if min := time.Duration(total-1) * time.Second / 30; took < min {
		t.Fatalf("%d messages took %v, less than the %v that 30/s allows", total, took, min)
	}
}

// TestLimiterChildProcess is a sender process of TestLimiterFleetOfProcesses;
// it does nothing when run on its own.
func TestLimiterChildProcess(t *testing.T) {
	if os.Getenv(envChild) != "1" {
		t.Skip("a helper process of TestLimiterFleetOfProcesses")
	}
	bot, _ := strconv.ParseInt(os.Getenv(envBot), 10, 64)
	first, _ := strconv.Atoi(os.Getenv(envFirst))
	count, _ := strconv.Atoi(os.Getenv(envCount))
	rc := goredis.NewClient(&goredis.Options{Addr: os.Getenv("HERALD_REDIS_ADDR")})
	defer rc.Close()
	lim := limit.New(limit.Config{Store: redis.NewLimiterStore(rc, bot, redis.Options{})})
	client, err := tg.New(os.Getenv(envToken), tg.WithBaseURL(os.Getenv(envURL)), tg.WithMiddleware(lim.Middleware()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	for id := first; id < first+count; id++ {
		if _, err := client.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(int64(id)), Text: "hello from a process"}); err != nil {
			t.Fatalf("chat %d: %v", id, err)
		}
	}
}

// childOutput collects a child's output for the failure log.
type childOutput struct{ b []byte }

func (o *childOutput) Write(p []byte) (int, error) { o.b = append(o.b, p...); return len(p), nil }
