package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/tg"
)

// Option wires the bot's metrics in one line: it makes the collectors on
// reg (New), registers the Go and process collectors (RegisterProcess)
// and applies Metrics.Option with g.
//
//	reg := prometheus.NewRegistry()
//	bot, err := herald.New(token, metrics.Option(reg, reg))
//
// Use New and Metrics.Option instead to keep the *Metrics (RunBroadcast)
// or to leave out the process collectors.
func Option(reg prometheus.Registerer, g prometheus.Gatherer) herald.Option {
	return func(b *herald.Bot) error {
		m, err := New(reg)
		if err != nil {
			return err
		}
		if err := RegisterProcess(reg); err != nil {
			return err
		}
		return m.Option(g)(b)
	}
}

// Option returns a herald.Option that puts m on the bot:
//
//   - Middleware as the root router's first outer middleware (counting
//     every update: give the option before anything that adds middleware
//     to the root router);
//   - Caller on the Bot API client (herald.WithClientOptions), inside the
//     bot's retry policy and limiter, so that it counts each attempt that
//     goes out, 429s included;
//   - ObserveBot: the scheduler, limiter and journal, read at scrape time;
//   - WebhookMiddleware on the bot's own webhook server
//     (herald.WithWebhookMiddleware);
//   - when g is not nil, GET /metrics serving g on the bot's own webhook
//     server (herald.WithHTTPHandler; ignored in polling mode, where you
//     mount Handler(g) yourself).
func (m *Metrics) Option(g prometheus.Gatherer) herald.Option {
	return func(b *herald.Bot) error {
		b.Router().Use(m.Middleware())
		opts := []herald.Option{
			herald.WithClientOptions(tg.WithMiddleware(m.Caller)),
			herald.WithWebhookMiddleware(m.WebhookMiddleware),
		}
		if g != nil {
			opts = append(opts, herald.WithHTTPHandler("GET /metrics", Handler(g)))
		}
		for _, o := range opts {
			if err := o(b); err != nil {
				return err
			}
		}
		return m.ObserveBot(b)
	}
}
