// Package metrics exports a bot's numbers to Prometheus: updates handled
// by kind and outcome with their handling time, Bot API calls by method
// and outcome with their latency (429s and network failures apart), and
// the scheduler's queue, from Bot.Stats. Collectors go on the Registerer
// you give, never on a global one:
//
//	reg := prometheus.NewRegistry()
//	m, err := metrics.New(reg)
//	bot, err := herald.New(token, herald.WithClientOptions(tg.WithMiddleware(m.Caller)))
//	bot.Router().Use(m.Middleware())
//	m.ObserveBot(bot)
//	http.Handle("/metrics", metrics.Handler(reg))
package metrics
