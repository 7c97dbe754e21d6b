package metrics

import (
	"net/http"
	"strconv"
)

// WebhookMiddleware counts the answers of the webhook endpoint by status
// code (herald_webhook_responses_total{code}): 200 for updates accepted,
// and the rejections — 401 (wrong secret token), 413 (body too large),
// 415 (not JSON), 503 (not ready, or overloaded), 405 and the others.
//
// Give it to the bot's own webhook server with
// herald.WithWebhookMiddleware(m.WebhookMiddleware) (Option does). When
// you mount Bot.WebhookHandler() in your own server, wrap it there:
//
//	mux.Handle("POST /telegram", m.WebhookMiddleware(bot.WebhookHandler()))
func (m *Metrics) WebhookMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		code := sw.code
		if code == 0 {
			code = http.StatusOK // nothing written: net/http answers 200
		}
		m.webhook.WithLabelValues(strconv.Itoa(code)).Inc()
	})
}

// statusWriter remembers the status code of the answer.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
