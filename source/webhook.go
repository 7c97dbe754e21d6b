package source

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/heraldbot/herald/tg"
)

// WebhookMode says when a Webhook answers Telegram.
type WebhookMode int

const (
	// Inline answers 2xx only after the update's Ack, and may carry the
	// Ack's Reply in the body: at-least-once delivery.
	Inline WebhookMode = iota
	// Background answers 200 as soon as the sink accepted the update, so
	// an update is lost if the process stops before handling it:
	// at-most-once delivery. Replies are dropped.
	Background
)

// String returns "inline" or "background".
func (m WebhookMode) String() string {
	switch m {
	case Inline:
		return "inline"
	case Background:
		return "background"
	default:
		return "WebhookMode(" + strconv.Itoa(int(m)) + ")"
	}
}

// SecretHeader is the header in which Telegram sends the secret_token
// given to setWebhook.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// WebhookConfig configures webhook mode: the endpoint (a Webhook), where
// it is served, and what setWebhook is told. It is the one webhook
// configuration of Herald (herald.WebhookConfig is the same type). The
// zero value uses the defaults given on each field; NewWebhook reads the
// endpoint fields only.
type WebhookConfig struct {
	// URL is the public HTTPS address Telegram posts to; when set,
	// herald's Run calls setWebhook with it (and MaxConnections,
	// DropPendingUpdates, SecretToken) at start. Empty: the webhook is
	// managed elsewhere (for example with `herald webhook set`).
	URL string
	// MaxConnections is sent to setWebhook (1–100; 0 = Telegram's default 40).
	MaxConnections int
	// DropPendingUpdates drops the updates waiting when setWebhook is called.
	DropPendingUpdates bool

	// Listen is the address to serve the webhook on, e.g. ":8443" ("" with
	// no Listener: serve nothing, mount the handler in your own server).
	Listen string
	// Listener, when set, is used instead of Listen (tests use 127.0.0.1:0).
	Listener net.Listener
	// Path is the path of the endpoint on the Listen server (default "/").
	Path string
	// TLS serves HTTPS with these files (else plain HTTP behind a proxy).
	TLS *TLSFiles

	// SecretToken is the secret_token given to setWebhook. Requests
	// without it in SecretHeader are answered 401 and not processed.
	// herald's Run generates one when empty; for NewWebhook, empty
	// disables the check (logged as a warning at creation).
	SecretToken string
	// Mode is Inline (default) or Background.
	Mode WebhookMode
	// MaxBodyBytes bounds the request body; larger ones get 413
	// (default 1 MiB).
	MaxBodyBytes int64
	// InlineTimeout is how long Inline mode waits for the Ack (default
	// 25 s). When it passes the webhook answers 503, so Telegram delivers
	// the update again: a slow handler may then see it twice (update_id
	// dedup removes that), but no update is confirmed before it was
	// handled. Keep it below the sender's request timeout.
	InlineTimeout time.Duration
	// SubmitTimeout is how long a request waits for room when the sink is
	// full before answering 503 with Retry-After (default 1 s). Waiting
	// holds one of Telegram's max_connections, which slows delivery down
	// by itself. Negative means do not wait.
	SubmitTimeout time.Duration
	// RetryAfter is the Retry-After sent with 503 answers, rounded up to
	// whole seconds (default 1 s).
	RetryAfter time.Duration
	// Logger receives the webhook's logs (default slog.Default()). Bodies,
	// secrets and URLs are never logged.
	Logger *slog.Logger
}

// SetWebhookParams returns the setWebhook parameters of c for the update
// types allowed.
func (c *WebhookConfig) SetWebhookParams(allowed []string) tg.SetWebhookParams {
	return tg.SetWebhookParams{
		URL: c.URL, SecretToken: c.SecretToken, MaxConnections: int64(c.MaxConnections),
		AllowedUpdates: allowed, DropPendingUpdates: c.DropPendingUpdates,
	}
}

func (c *WebhookConfig) setDefaults() {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.InlineTimeout <= 0 {
		c.InlineTimeout = 25 * time.Second
	}
	if c.SubmitTimeout == 0 {
		c.SubmitTimeout = time.Second
	}
	if c.RetryAfter <= 0 {
		c.RetryAfter = time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Webhook is an http.Handler receiving updates that Telegram POSTs to a
// webhook URL and submitting them to a Sink. It checks, in order: the
// method (POST, else 405), the secret token (else 401), the content type
// (application/json, else 415), the body size (else 413) and the JSON
// (else 400). When the sink stays full it answers 503 with Retry-After.
// Mount it at any path of any mux. Create it with NewWebhook.
type Webhook struct {
	sink       Sink
	cfg        WebhookConfig
	log        *slog.Logger
	secretSum  [sha256.Size]byte // of cfg.SecretToken, when set
	retryAfter string
	warned     atomic.Bool // a Reply dropped in Background mode was logged
}

// NewWebhook returns a Webhook submitting to sink. It panics if sink is nil.
func NewWebhook(sink Sink, cfg WebhookConfig) *Webhook {
	if sink == nil {
		panic("source: NewWebhook: nil Sink")
	}
	cfg.setDefaults()
	h := &Webhook{sink: sink, cfg: cfg, log: cfg.Logger}
	if cfg.SecretToken != "" {
		h.secretSum = sha256.Sum256([]byte(cfg.SecretToken))
	} else {
		h.log.Warn("source: webhook without a secret token: anyone who learns its URL can post updates")
	}
	secs := (cfg.RetryAfter + time.Second - 1) / time.Second
	h.retryAfter = strconv.FormatInt(int64(secs), 10)
	return h
}

// ServeHTTP implements http.Handler.
func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.reject(w, r, http.StatusMethodNotAllowed, slog.LevelDebug, "method not allowed")
		return
	}
	if !h.authorized(r) {
		h.reject(w, r, http.StatusUnauthorized, slog.LevelWarn, "wrong or missing secret token")
		return
	}
	if !isJSON(r.Header.Get("Content-Type")) {
		h.reject(w, r, http.StatusUnsupportedMediaType, slog.LevelDebug, "content type is not application/json")
		return
	}
	if r.ContentLength > h.cfg.MaxBodyBytes {
		h.reject(w, r, http.StatusRequestEntityTooLarge, slog.LevelWarn, "body too large")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			h.reject(w, r, http.StatusRequestEntityTooLarge, slog.LevelWarn, "body too large")
		} else {
			h.reject(w, r, http.StatusBadRequest, slog.LevelDebug, "cannot read body")
		}
		return
	}
	u := new(tg.Update)
	if err := decodeUpdate(body, u); err != nil {
		h.reject(w, r, http.StatusBadRequest, slog.LevelWarn, "malformed update JSON")
		return
	}
	if h.cfg.Mode == Background {
		h.serveBackground(w, r, u)
	} else {
		h.serveInline(w, r, u)
	}
}

// serveInline answers after the Ack, with its Reply if any.
func (h *Webhook) serveInline(w http.ResponseWriter, r *http.Request, u *tg.Update) {
	// The channel is buffered and written at most once, so an Ack that
	// comes after the request ended never blocks and nothing leaks.
	done := make(chan outcome, 1)
	var once atomic.Bool
	ack := func(rep *Reply, err error) {
		if once.CompareAndSwap(false, true) {
			done <- outcome{rep, err}
		}
	}
	if err := h.submit(r.Context(), u, ack); err != nil {
		h.unavailable(w, r, u.UpdateID, err)
		return
	}
	t := time.NewTimer(h.cfg.InlineTimeout)
	defer t.Stop()
	select {
	case out := <-done:
		if out.err != nil {
			h.log.Debug("source: update not handled; answering 503 so that Telegram delivers it again",
				"update_id", u.UpdateID, "error", out.err)
			h.writeUnavailable(w)
			return
		}
		h.writeReply(w, u.UpdateID, out.reply)
	case <-t.C:
		h.log.Warn("source: update not handled within the inline timeout; answering 503 so that Telegram delivers it again",
			"update_id", u.UpdateID, "timeout", h.cfg.InlineTimeout)
		h.writeUnavailable(w)
	case <-r.Context().Done():
		h.log.Warn("source: webhook request ended before the update was handled; Telegram will deliver it again",
			"update_id", u.UpdateID, "remote", r.RemoteAddr)
		h.writeUnavailable(w)
	}
}

// outcome is what an inline request waits for.
type outcome struct {
	reply *Reply
	err   error
}

// serveBackground answers 200 once the sink accepted the update.
func (h *Webhook) serveBackground(w http.ResponseWriter, r *http.Request, u *tg.Update) {
	id := u.UpdateID
	ack := func(rep *Reply, err error) {
		if err != nil {
			h.log.Error("source: update lost: it failed after the background webhook confirmed it (use Inline mode for at-least-once delivery)",
				"update_id", id, "error", err)
		}
		if rep != nil && h.warned.CompareAndSwap(false, true) {
			h.dropReply(id, rep, "background mode cannot answer with a Reply (logged once)")
		}
	}
	if err := h.submit(r.Context(), u, ack); err != nil {
		h.unavailable(w, r, id, err)
		return
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// submit offers u to the sink, waiting up to SubmitTimeout when it is full.
func (h *Webhook) submit(ctx context.Context, u *tg.Update, ack Ack) error {
	err := h.sink.TrySubmit(u, ack)
	if h.cfg.SubmitTimeout < 0 || !errors.Is(err, ErrFull) {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, h.cfg.SubmitTimeout)
	defer cancel()
	return h.sink.Submit(ctx, u, ack)
}

// unavailable answers 503 when the sink did not take the update.
func (h *Webhook) unavailable(w http.ResponseWriter, r *http.Request, id int64, err error) {
	if r.Context().Err() == nil { // else the sender is likely gone: not worth a warning
		h.log.Warn("source: sink did not accept the update; answering 503", "update_id", id, "error", err)
	}
	h.writeUnavailable(w)
}

// writeUnavailable answers 503 with Retry-After. It is also written when
// the request's context ended: usually the sender is gone and the answer
// goes nowhere, but a middleware may have ended the context (a deadline)
// while the sender still waits, and returning without an answer would
// make net/http send 200, confirming an update nobody handled.
func (h *Webhook) writeUnavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", h.retryAfter)
	http.Error(w, "busy, retry later", http.StatusServiceUnavailable)
}

// writeReply answers 200, with rep as the body when it can be encoded.
func (h *Webhook) writeReply(w http.ResponseWriter, id int64, rep *Reply) {
	var body []byte
	if rep != nil {
		var err error
		if body, err = encodeReply(rep); err != nil {
			h.dropReply(id, rep, err.Error())
		}
	}
	hd := w.Header()
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	if body != nil {
		hd.Set("Content-Type", "application/json")
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func (h *Webhook) dropReply(id int64, rep *Reply, why string) {
	h.log.Error("source: webhook reply dropped", "update_id", id, "method", rep.Method, "reason", why)
}

func (h *Webhook) reject(w http.ResponseWriter, r *http.Request, code int, level slog.Level, msg string) {
	h.log.Log(r.Context(), level, "source: webhook request rejected", "status", code, "reason", msg, "remote", r.RemoteAddr)
	http.Error(w, msg, code)
}

// authorized compares the secret header in constant time (hashing both
// sides first, so that not even the length leaks).
func (h *Webhook) authorized(r *http.Request) bool {
	if h.cfg.SecretToken == "" {
		return true
	}
	got := r.Header.Get(SecretHeader)
	sum := sha256.Sum256([]byte(got))
	return subtle.ConstantTimeCompare(sum[:], h.secretSum[:]) == 1
}

// isJSON accepts application/json with no charset or UTF-8.
func isJSON(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return false
	}
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8") || strings.EqualFold(cs, "utf8")
}

// decodeUpdate decodes one JSON object into u.
func decodeUpdate(body []byte, u *tg.Update) error {
	if rest := bytes.TrimLeft(body, " \t\r\n"); len(rest) == 0 || rest[0] != '{' {
		return errors.New("not a JSON object")
	}
	return u.UnmarshalJSON(body)
}
