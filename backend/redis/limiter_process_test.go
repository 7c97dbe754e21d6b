package redis_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/redis"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/tg"
)

// Environment of a child sender process (see TestLimiterChildProcess).
const (
	envChild = "HERALD_LIMIT_CHILD"
	envURL   = "HERALD_LIMIT_URL"
	envToken = "HERALD_LIMIT_TOKEN"
	envBot   = "HERALD_LIMIT_BOT"
	envFirst = "HERALD_LIMIT_FIRST" // first of the distinct chats
	envCount = "HERALD_LIMIT_COUNT" // how many distinct chats
	envSame  = "HERALD_LIMIT_SAME"  // the chat every process also writes to
	envSameN = "HERALD_LIMIT_SAMEN" // how many messages into it
)

// TestLimiterFleetOfProcesses: three separate OS processes (this test
// binary, re-run as senders), each a bot built by herald.New with
// herald.WithLimits and its own Redis connection (the shared
// LimiterStore) and otherwise the defaults, send at once 20 messages each
// into one shared chat and 200 each into chats of their own, to the
// emulator with Telegram's limits on, over HTTP. Together they stay within
// Telegram's limits: zero 429s, and at most 30 messages arrive within any
// one second (the defaults plan 25). The shared chat's 60 messages take
// 60 × 1.1 s, so the test runs for about a minute; -short skips it.
func TestLimiterFleetOfProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("about a minute: 60 messages into one chat at the default 1 per 1.1 s")
	}
	c := limiterRedis(t)
	bot := limiterBot(t, c)
	const processes, perProcess, sameChat, perChatN = 3, 200, 1_000_000, 20
	emu := emulator.New(emulator.Options{}) // Telegram's limits, real clock
	defer emu.Close()
	arrived := &arrivals{next: emu.Handler()}
	srv := httptest.NewServer(arrived)
	defer srv.Close()
	token := fmt.Sprintf("%d:fleet-processes", bot)
	for id := int64(1); id <= perProcess*processes; id++ {
		if _, err := emu.SendMessage(context.Background(), emulator.UserMessage{Token: token, From: tg.User{ID: id, FirstName: "U"}, Text: "/start"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := emu.SendMessage(context.Background(), emulator.UserMessage{Token: token, From: tg.User{ID: sameChat, FirstName: "S"}, Text: "/start"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	var cmds []*exec.Cmd
	for p := range processes {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestLimiterChildProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(),
			envChild+"=1", envURL+"="+srv.URL, envToken+"="+token, envBot+"="+strconv.FormatInt(bot, 10),
			envFirst+"="+strconv.Itoa(1+p*perProcess), envCount+"="+strconv.Itoa(perProcess),
			envSame+"="+strconv.Itoa(sameChat), envSameN+"="+strconv.Itoa(perChatN),
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
	total := processes * (perProcess + perChatN)
	times, chats := arrived.snapshot()
	var same, distinct []time.Time
	for i, at := range times {
		if chats[i] == strconv.Itoa(sameChat) {
			same = append(same, at)
		} else {
			distinct = append(distinct, at)
		}
	}
	busiest := testkit.MaxInWindow(times, time.Second)
	t.Logf("%d messages from %d processes in %v; emulator 429s: %d; at most %d in any one second; "+
		"%d chats in %v (%.1f/s), one chat: %d in %v",
		total, processes, took.Round(time.Millisecond), st.TooManyRequests, busiest,
		len(distinct), span(distinct), float64(len(distinct)-1)/span(distinct).Seconds(), len(same), span(same))
	if st.TooManyRequests != 0 || st.Requests["sendMessage"] != int64(total) {
		t.Fatalf("emulator saw %d sendMessage and %d 429s; want %d and 0", st.Requests["sendMessage"], st.TooManyRequests, total)
	}
	if busiest > 30 {
		t.Fatalf("%d messages arrived within one second; Telegram's limit is 30", busiest)
	}
	if len(same) != processes*perChatN {
		t.Fatalf("%d messages into the shared chat, want %d", len(same), processes*perChatN)
	}
}

// span is the time from the first to the last of sorted times.
func span(sorted []time.Time) time.Duration {
	if len(sorted) < 2 {
		return 0
	}
	return sorted[len(sorted)-1].Sub(sorted[0])
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
	same, _ := strconv.ParseInt(os.Getenv(envSame), 10, 64)
	sameN, _ := strconv.Atoi(os.Getenv(envSameN))
	rc := goredis.NewClient(&goredis.Options{Addr: testkit.RedisAddr()})
	defer rc.Close()
	b, err := herald.New(os.Getenv(envToken),
		herald.WithLimits(limit.Config{Store: redis.NewLimiterStore(rc, bot, redis.Options{})}),
		herald.WithClientOptions(tg.WithBaseURL(os.Getenv(envURL))))
	if err != nil {
		t.Fatal(err)
	}
	client := b.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	send := func(chat int64) {
		if _, err := client.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(chat), Text: "hello from a process"}); err != nil {
			t.Errorf("chat %d: %v", chat, err)
		}
	}
	wg.Go(func() { // into the shared chat, one after the other, like replies
		for range sameN {
			send(same)
		}
	})
	chats := make(chan int64)
	for range 8 { // into chats of its own, eight at a time, like a broadcast
		wg.Go(func() {
			for chat := range chats {
				send(chat)
			}
		})
	}
	for id := first; id < first+count; id++ {
		chats <- int64(id)
	}
	close(chats)
	wg.Wait()
	if st := b.Limiter().Stats(); st.TooManyRequests != 0 {
		t.Errorf("limiter saw %d 429s", st.TooManyRequests)
	}
}

// childOutput collects a child's output for the failure log.
type childOutput struct{ b []byte }

func (o *childOutput) Write(p []byte) (int, error) { o.b = append(o.b, p...); return len(p), nil }
