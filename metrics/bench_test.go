package metrics_test

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/metrics"
	"github.com/heraldbot/herald/tg"
)

// BenchmarkHandleUpdate measures one update through a bot's routers
// (HandleUpdate, update_id 0: no claim bookkeeping) with and without
// metrics.Option, in the same run: the cost of counting and timing an
// update by kind and handler.
func BenchmarkHandleUpdate(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "metrics=off"
		if on {
			name = "metrics=on"
		}
		b.Run(name, func(b *testing.B) {
			var opts []herald.Option
			if on {
				reg := prometheus.NewRegistry()
				opts = append(opts, metrics.Option(reg, reg))
			}
			bot, err := herald.New("7405:bench", opts...)
			if err != nil {
				b.Fatal(err)
			}
			r := herald.NewRouter("shop")
			for _, cmd := range []string{"start", "help", "catalog", "cart", "orders"} {
				r.Command(cmd, func(*herald.Context) error { return nil })
			}
			bot.Router().Include(r)
			u := &tg.Update{Message: &tg.Message{MessageID: 1, Chat: tg.Chat{ID: 1, Type: "private"}, From: &tg.User{ID: 1}, Text: "/orders",
				Entities: []tg.MessageEntity{{Type: "bot_command", Offset: 0, Length: 7}}}}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if err := bot.HandleUpdate(ctx, u); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
