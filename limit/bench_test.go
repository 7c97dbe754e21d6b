package limit

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/tg"
)

// huge never makes a call wait, so benchmarks measure the bookkeeping.
var huge = Rate{Count: 1e9, Per: time.Second, Burst: 1e9}

func noWaitConfig() Config { return Config{Global: huge, Chat: huge, Group: huge} }

// BenchmarkLimiterOverhead is the limiter's own cost per counted call:
// a chain ending in a no-op Caller, with and without the middleware.
func BenchmarkLimiterOverhead(b *testing.B) {
	end := tg.CallerFunc(func(context.Context, string, any, any) error { return nil })
	params := make([]*tg.SendMessageParams, 1024)
	for i := range params {
		params[i] = &tg.SendMessageParams{ChatID: tg.ID(int64(i) - 512), Text: "x"}
	}
	ctx := context.Background()
	b.Run("baseline", func(b *testing.B) {
		i := 0
		for b.Loop() {
			_ = end.Call(ctx, "sendMessage", params[i%len(params)], nil)
			i++
		}
	})
	b.Run("limiter", func(b *testing.B) {
		c := New(noWaitConfig()).Middleware()(end)
		i := 0
		for b.Loop() {
			_ = c.Call(ctx, "sendMessage", params[i%len(params)], nil)
			i++
		}
	})
	b.Run("limiter-parallel", func(b *testing.B) {
		c := New(noWaitConfig()).Middleware()(end)
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				_ = c.Call(ctx, "sendMessage", params[i%len(params)], nil)
				i++
			}
		})
	})
}

// BenchmarkLimiterHTTP compares, in the same run and interleaved, a
// sendMessage over HTTP to the emulator (limits off) through a plain
// client and through a client with the in-process limiter. It reports
// both times per call and their ratio.
func BenchmarkLimiterHTTP(b *testing.B) {
	emu := emulator.New(emulator.Options{Limits: &emulator.Limits{}})
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	defer emu.Close()
	plain, err := tg.New(testToken, tg.WithBaseURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	limited, err := tg.New(testToken, tg.WithBaseURL(srv.URL), tg.WithMiddleware(New(noWaitConfig()).Middleware()))
	if err != nil {
		b.Fatal(err)
	}
	compareClients(b, emu, testToken, plain, limited)
}

// compareClients times sendMessage through base and through limited,
// alternately, and reports base-ns/call, limited-ns/call and their ratio.
func compareClients(b *testing.B, emu *emulator.Emulator, token string, base, limited *tg.Client) {
	const chats = 100
	ctx := context.Background()
	for id := int64(1); id <= chats; id++ {
		if _, err := emu.SendMessage(ctx, emulator.UserMessage{Token: token, From: tg.User{ID: id, FirstName: "U"}, Text: "/start"}); err != nil {
			b.Fatal(err)
		}
	}
	send := func(c *tg.Client, i int) time.Duration {
		start := time.Now()
		if _, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(int64(i%chats) + 1), Text: "bench"}); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	for i := range 50 { // warm up connections
		send(base, i)
		send(limited, i)
	}
	var tBase, tLimited time.Duration
	n := 0
	for b.Loop() {
		tBase += send(base, n)
		tLimited += send(limited, n)
		n++
	}
	b.ReportMetric(float64(tBase.Nanoseconds())/float64(n), "base-ns/call")
	b.ReportMetric(float64(tLimited.Nanoseconds())/float64(n), "limited-ns/call")
	b.ReportMetric(float64(tLimited)/float64(tBase), "ratio")
}
