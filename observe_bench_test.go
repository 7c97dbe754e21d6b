package herald_test

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/metrics"
	"github.com/heraldbot/herald/tg"
)

// observability is one setting of BenchmarkObservability.
type observability struct {
	name    string
	metrics bool
	tracer  func() herald.Option
}

var observabilities = []observability{
	{name: "off"},
	{name: "metrics", metrics: true},
	{name: "noop-tracer", tracer: func() herald.Option { return herald.WithTracerProvider(noop.NewTracerProvider()) }},
	// An SDK provider with no exporter: spans are made and dropped.
	{name: "sdk-tracer", tracer: func() herald.Option { return herald.WithTracerProvider(sdktrace.NewTracerProvider()) }},
	{name: "metrics+sdk-tracer", metrics: true, tracer: func() herald.Option { return herald.WithTracerProvider(sdktrace.NewTracerProvider()) }},
}

// BenchmarkObservability measures what metrics and traces cost an update,
// against the same bot with both off, in one run:
//
//   - dispatch: a command routed through 5 routers of 10 commands and a
//     middleware, handled by a handler that does nothing (HandleUpdate;
//     update id 0, so no claim);
//   - reply: the same, but the handler replies, a sendMessage over HTTP
//     to the emulator (limiter off), so the Bot API call is measured
//     with its span and its counters.
//
// Compare each setting with "off" of the same run (docs/OBSERVABILITY.md).
func BenchmarkObservability(b *testing.B) {
	emu := &world{emutest.Start(b, emutest.NoLimits())}
	for _, o := range observabilities {
		for _, reply := range []bool{false, true} {
			name := o.name + "/dispatch"
			if reply {
				name = o.name + "/reply"
			}
			b.Run(name, func(b *testing.B) { benchmarkObserved(b, emu, o, reply) })
		}
	}
}

func benchmarkObserved(b *testing.B, w *world, o observability, reply bool) {
	const token = "7601:observe"
	opts := []herald.Option{w.Client(), herald.WithLogger(quiet()), herald.WithoutLimiter()}
	var m *metrics.Metrics
	if o.metrics {
		var err error
		if m, err = metrics.New(prometheus.NewRegistry()); err != nil {
			b.Fatal(err)
		}
		opts = append(opts, herald.WithClientOptions(tg.WithMiddleware(m.Caller)))
	}
	if o.tracer != nil {
		opts = append(opts, o.tracer())
	}
	bot, err := herald.New(token, opts...)
	if err != nil {
		b.Fatal(err)
	}
	if m != nil {
		bot.Router().Use(m.Middleware())
	}
	handler := func(c *herald.Context) error {
		if !reply {
			return nil
		}
		_, err := c.Reply("ok")
		return err
	}
	for r := range 5 {
		rt := herald.NewRouter("r" + string(rune('0'+r)))
		for h := range 10 {
			rt.Command("cmd"+string(rune('0'+r))+string(rune('0'+h)), handler)
		}
		bot.Router().Include(rt)
	}
	if err := bot.Prepare(); err != nil {
		b.Fatal(err)
	}
	// The chat must exist at the emulator for the reply.
	sent, err := w.Emu.SendMessage(context.Background(), emulator.UserMessage{Token: token, From: tg.User{ID: 61, FirstName: "Ed"}, Text: "hi"})
	if err != nil {
		b.Fatal(err)
	}
	text := "/cmd48"
	u := &tg.Update{Message: &tg.Message{MessageID: sent.MessageID, Text: text, Chat: tg.Chat{ID: 61, Type: "private"}, From: &tg.User{ID: 61},
		Entities: []tg.MessageEntity{{Type: "bot_command", Length: int64(len(text))}}}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := bot.HandleUpdate(ctx, u); err != nil {
			b.Fatal(err)
		}
	}
}
