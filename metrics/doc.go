// Package metrics exports a bot's numbers to Prometheus: updates handled
// by kind, handler and outcome with their handling time; Bot API calls by
// method and outcome with their latency (429s and network failures
// apart); the scheduler's queue (Bot.Stats); the outbound limiter's
// waits, 429s and retries (Bot.Limiter); the journal's length, pending
// entries and lag (Bot.Journal); the webhook's answers by status code;
// broadcast sends by outcome; and, with RegisterProcess, the Go runtime
// and the process. Collectors go on the Registerer you give, never on a
// global one.
//
// One option wires everything onto a bot:
//
//	reg := prometheus.NewRegistry()
//	bot, err := herald.New(token, metrics.Option(reg, reg))
//	http.Handle("GET /metrics", metrics.Handler(reg)) // polling; a bot with its own webhook server serves it there
//
// or, keeping the *Metrics (for RunBroadcast):
//
//	m, err := metrics.New(reg)
//	bot, err := herald.New(token, m.Option(reg))
//	p, err := m.RunBroadcast(ctx, bot.Client(), bot.Broadcasts(), id, broadcast.Options{})
//
// The metric names, the Grafana dashboard (docs/grafana) and how to mount
// the pieces by hand are in docs/OBSERVABILITY.md.
package metrics
