package source

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"

	"github.com/heraldbot/herald/tg"
)

// SetWebhook validates p and calls setWebhook. Errors never contain the
// URL, which may hold a secret path. p.SecretToken is what Telegram sends
// back in SecretHeader: give the same value to WebhookConfig.SecretToken
// (1–256 characters of A–Z, a–z, 0–9, _ and -; see NewSecretToken).
func SetWebhook(ctx context.Context, c *tg.Client, p tg.SetWebhookParams) error {
	if u, err := url.Parse(p.URL); err != nil || p.URL == "" || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return errors.New("source: SetWebhook: the URL must be an absolute https:// (or http://) URL")
	}
	if p.SecretToken != "" && !validSecret(p.SecretToken) {
		return errors.New("source: SetWebhook: the secret token must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
	}
	if p.MaxConnections < 0 || p.MaxConnections > 100 {
		return fmt.Errorf("source: SetWebhook: max connections %d is outside 1-100", p.MaxConnections)
	}
	ok, err := c.SetWebhook(ctx, p)
	if err != nil {
		return fmt.Errorf("source: SetWebhook: %w", err)
	}
	if !ok {
		return errors.New("source: SetWebhook: Telegram answered false")
	}
	return nil
}

// DeleteWebhook removes the webhook (so that long polling works again),
// dropping the pending updates if dropPending.
func DeleteWebhook(ctx context.Context, c *tg.Client, dropPending bool) error {
	if _, err := c.DeleteWebhook(ctx, tg.DeleteWebhookParams{DropPendingUpdates: dropPending}); err != nil {
		return fmt.Errorf("source: DeleteWebhook: %w", err)
	}
	return nil
}

// WebhookInfo returns the current webhook status (URL empty when none is
// set, pending update count, last error).
func WebhookInfo(ctx context.Context, c *tg.Client) (*tg.WebhookInfo, error) {
	info, err := c.GetWebhookInfo(ctx)
	if err != nil {
		return nil, fmt.Errorf("source: WebhookInfo: %w", err)
	}
	return info, nil
}

// NewSecretToken returns a random secret token (26 characters, 130 bits)
// valid as a secret_token.
func NewSecretToken() string { return rand.Text() }

func validSecret(s string) bool {
	if len(s) < 1 || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
