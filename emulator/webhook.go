package emulator

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/heraldbot/herald/internal/backoff"

	"github.com/heraldbot/herald/tg"
)

// webhookState is a bot's webhook while it is set.
type webhookState struct {
	url       string
	secret    string
	maxConn   int
	ipAddress string

	lastErrorDate int64
	lastErrorMsg  string
	inflight      int
	retryAt       time.Time // when the pending retry timer fires
	timer         *time.Timer

	kickCh chan struct{}
	stop   chan struct{}
}

func (h *webhookState) kick() {
	select {
	case h.kickCh <- struct{}{}:
	default:
	}
}

// newWebhookClient returns the HTTP client for deliveries. It dials only
// loopback addresses, whatever a host name resolves to, and accepts the
// self-signed certificates local test servers use.
func newWebhookClient() *http.Client {
	d := &net.Dialer{
		Timeout: 5 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if !net.ParseIP(host).IsLoopback() {
				return fmt.Errorf("webhook address %s is not a loopback address", host)
			}
			return nil
		},
	}
	return &http.Client{
		Transport: &http.Transport{
			DialContext:         d.DialContext,
			MaxIdleConnsPerHost: 100,
			IdleConnTimeout:     30 * time.Second,
			TLSClientConfig:     &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // loopback test servers only
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// checkWebhookURL accepts http(s) URLs on loopback hosts, any port.
func checkWebhookURL(raw string) *apiError {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return badRequest("bad webhook: invalid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return badRequest("bad webhook: an HTTP or HTTPS URL must be provided for webhook")
	}
	host := strings.ToLower(u.Hostname())
	if isLoopbackHost(host) {
		return nil
	}
	return badRequest("bad webhook: the Herald emulator delivers webhooks only to loopback addresses (127.0.0.1, ::1, localhost), not to %q", host)
}

// isLoopbackHost reports whether host is localhost or a loopback address.
func isLoopbackHost(host string) bool {
	return host == "localhost" || net.ParseIP(host).IsLoopback()
}

var secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func setWebhook(c *call) (any, *apiError) {
	p := c.p
	raw := strings.TrimSpace(p.str("url"))
	if raw == "" {
		return deleteWebhook(c)
	}
	if aerr := checkWebhookURL(raw); aerr != nil {
		return nil, aerr
	}
	secret := p.str("secret_token")
	if secret != "" && !secretPattern.MatchString(secret) {
		return nil, badRequest("bad webhook: secret token contains unallowed characters")
	}
	maxConn := int(p.int("max_connections"))
	if maxConn <= 0 {
		maxConn = 40
	}
	maxConn = min(maxConn, 100)
	kinds, setKinds, aerr := p.allowedUpdates()
	if aerr != nil {
		return nil, aerr
	}
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if setKinds {
		b.queue.setAllowed(kinds)
	}
	if p.bool("drop_pending_updates") {
		b.dropPendingLocked()
	}
	b.endPollLocked(errWebhookActive)
	b.stopWebhookLocked()
	if c.e.isClosed() {
		return true, nil
	}
	h := &webhookState{
		url: raw, secret: secret, maxConn: maxConn, ipAddress: p.str("ip_address"),
		kickCh: make(chan struct{}, 1), stop: make(chan struct{}),
	}
	b.hook = h
	c.e.wg.Add(1)
	go b.runWebhook(h)
	h.kick()
	c.e.log.Info("emulator webhook set", "bot_id", b.id, "max_connections", maxConn)
	return true, nil
}

func deleteWebhook(c *call) (any, *apiError) {
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if c.p.bool("drop_pending_updates") {
		b.dropPendingLocked()
	}
	b.stopWebhookLocked()
	return true, nil
}

func getWebhookInfo(c *call) (any, *apiError) {
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	info := tg.WebhookInfo{PendingUpdateCount: int64(b.queue.len())}
	if h := b.hook; h != nil {
		info.URL, info.IPAddress, info.MaxConnections = h.url, h.ipAddress, int64(h.maxConn)
		info.LastErrorDate, info.LastErrorMessage = h.lastErrorDate, h.lastErrorMsg
		info.AllowedUpdates = b.queue.allowedList()
	}
	return info, nil
}

func (b *bot) stopWebhookLocked() {
	h := b.hook
	if h == nil {
		return
	}
	close(h.stop)
	if h.timer != nil {
		h.timer.Stop()
	}
	b.hook = nil
}

// runWebhook starts deliveries whenever it is kicked: on new updates,
// finished deliveries and due retries.
func (b *bot) runWebhook(h *webhookState) {
	defer b.e.wg.Done()
	for {
		select {
		case <-h.stop:
			return
		case <-h.kickCh:
		}
		b.mu.Lock()
		if b.hook != h {
			b.mu.Unlock()
			return
		}
		batch := b.pickDeliveriesLocked(h)
		b.mu.Unlock()
		for _, u := range batch {
			b.e.wg.Add(1)
			go b.deliver(h, u)
		}
	}
}

// pickDeliveriesLocked chooses the updates to deliver now: per key
// (chat) only the oldest pending one (any number with
// Options.WebhookConcurrentPerChat), none waiting for a retry, and no more
// than max_connections in flight. It arms a timer for the next retry.
func (b *bot) pickDeliveriesLocked(h *webhookState) []*queuedUpdate {
	now := time.Now()
	inOrder := !b.e.opts.WebhookConcurrentPerChat
	busy := make(map[int64]bool)
	var batch []*queuedUpdate
	var nextRetry time.Time
	for _, u := range b.queue.items {
		if inOrder {
			if busy[u.key] {
				continue
			}
			busy[u.key] = true
		}
		if u.inflight {
			continue
		}
		if u.notBefore.After(now) {
			if nextRetry.IsZero() || u.notBefore.Before(nextRetry) {
				nextRetry = u.notBefore
			}
			continue
		}
		if h.inflight >= h.maxConn {
			break
		}
		u.inflight = true
		h.inflight++
		batch = append(batch, u)
	}
	if !nextRetry.IsZero() && (h.timer == nil || !h.retryAt.Equal(nextRetry)) {
		if h.timer != nil {
			h.timer.Stop()
		}
		h.retryAt = nextRetry
		h.timer = time.AfterFunc(nextRetry.Sub(now), h.kick)
	}
	return batch
}

// retryDelay is the wait before retry number attempts (1 = the first
// retry, made at once), doubling from 1 s and capped.
func retryDelay(attempts int, capDelay time.Duration) time.Duration {
	if attempts <= 1 {
		return 0
	}
	return backoff.Policy{Min: time.Second, Max: capDelay}.Cap(attempts - 2)
}

// deliver POSTs one update to the webhook and records the outcome.
func (b *bot) deliver(h *webhookState, u *queuedUpdate) {
	defer b.e.wg.Done()
	ctx, cancel := context.WithTimeout(context.Background(), b.e.opts.WebhookTimeout)
	defer cancel()
	go func() {
		select {
		case <-h.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	status, retryAfter, body, err := b.post(ctx, h, u.data)
	b.stats.hookDeliveries.Add(1)
	ok := err == nil && status/100 == 2
	if ok && len(bytes.TrimSpace(body)) > 0 {
		// Before the chat's next update goes out, as Telegram does: the
		// answer's method comes before whatever the next update causes.
		b.runReplyMethod(body)
	}

	b.mu.Lock()
	u.inflight = false
	if b.hook == h {
		h.inflight--
	}
	if ok {
		b.queue.items = slices.DeleteFunc(b.queue.items, func(x *queuedUpdate) bool { return x == u })
		b.stats.updatesDelivered.Add(1)
		b.stats.updatesConfirmed.Add(1)
	} else {
		b.stats.hookFailures.Add(1)
		now := time.Now()
		u.attempts++
		delay := max(retryDelay(u.attempts, b.e.opts.WebhookMaxBackoff), retryAfter)
		u.notBefore = now.Add(delay)
		msg := webhookErrorMessage(status, err)
		if b.hook == h {
			h.lastErrorDate, h.lastErrorMsg = now.Unix(), msg
		}
		b.e.log.Warn("emulator webhook delivery failed", "bot_id", b.id, "update_id", u.id, "error", msg, "retry_in", delay)
	}
	if b.hook != nil {
		b.hook.kick()
	}
	b.mu.Unlock()
}

func (b *bot) post(ctx context.Context, h *webhookState, data []byte) (status int, retryAfter time.Duration, body []byte, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(data))
	if err != nil {
		return 0, 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if h.secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", h.secret)
	}
	resp, err := b.e.hooks.Do(req)
	if err != nil {
		return 0, 0, nil, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, 0, nil, err
	}
	if s, perr := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); perr == nil && s > 0 {
		retryAfter = min(time.Duration(s)*time.Second, time.Hour)
	}
	return resp.StatusCode, retryAfter, body, nil
}

func webhookErrorMessage(status int, err error) string {
	switch {
	case err == nil:
		return "Wrong response from the webhook: " + strconv.Itoa(status) + " " + http.StatusText(status)
	case errors.Is(err, context.DeadlineExceeded):
		return "Read timeout expired"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "Connection refused"
	default:
		return "Connection failed"
	}
}

// runReplyMethod executes a Bot API method given in a webhook answer's
// body, as Telegram does; its result is not reported anywhere but logs.
func (b *bot) runReplyMethod(body []byte) {
	p := newParams()
	if err := readJSONParams(p, bytes.NewReader(body)); err != nil {
		b.e.log.Warn("emulator: webhook answer is not a JSON object", "bot_id", b.id)
		return
	}
	method := p.vals["method"]
	if method == "" {
		return
	}
	delete(p.vals, "method")
	_, aerr := b.e.dispatch(context.Background(), b, method, func() (*params, *apiError) { return p, nil })
	if aerr != nil {
		b.e.log.Warn("emulator: method in webhook answer failed", "bot_id", b.id, "method", method, "error", aerr.desc)
	}
}
