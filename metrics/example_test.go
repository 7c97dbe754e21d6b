package metrics_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/metrics"
	"github.com/heraldbot/herald/tg"
)

// A bot whose updates and Bot API calls are counted, and the page
// Prometheus scrapes.
func Example() {
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		panic(err)
	}
	bot, err := herald.New("123456:secret", herald.WithClientOptions(tg.WithMiddleware(m.Caller)))
	if err != nil {
		panic(err)
	}
	bot.Router().Use(m.Middleware())
	if err := m.ObserveBot(bot); err != nil {
		panic(err)
	}
	// In a program: http.Handle("/metrics", metrics.Handler(reg)).
	w := httptest.NewRecorder()
	metrics.Handler(reg).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	fmt.Println(w.Code, strings.Contains(w.Body.String(), "herald_scheduler_queued 0"))
	// Output: 200 true
}
