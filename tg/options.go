package tg

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// DefaultBaseURL is the address of Telegram's public Bot API server.
const DefaultBaseURL = "https://api.telegram.org"

// Option configures a Client in New.
type Option func(*config) error

type config struct {
	baseURL     string
	httpClient  *http.Client
	middlewares []Middleware
	local       *localFiles
}

// WithBaseURL sets the Bot API server, e.g. a local telegram-bot-api server
// or the Herald emulator. The default is DefaultBaseURL. The URL must be
// http or https; a trailing slash is ignored.
func WithBaseURL(u string) Option {
	return func(c *config) error {
		p, err := url.Parse(u)
		if err != nil {
			return fmt.Errorf("tg: invalid base URL: %w", err)
		}
		if p.Scheme != "http" && p.Scheme != "https" || p.Host == "" {
			return fmt.Errorf("tg: invalid base URL %q: want http(s)://host[:port][/path]", u)
		}
		// An empty query or fragment ("http://host?") still moves the path
		// the client appends into the query or out of the request.
		if p.RawQuery != "" || p.ForceQuery || strings.Contains(u, "#") || p.User != nil {
			return fmt.Errorf("tg: invalid base URL %q: query, fragment and user info are not allowed", u)
		}
		c.baseURL = strings.TrimRight(u, "/")
		return nil
	}
}

// WithHTTPClient sets the HTTP client used for every request. It must not
// have a Timeout shorter than the long-polling timeout; per-call deadlines
// come from the context. By default each Client gets its own tuned transport.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("tg: WithHTTPClient: nil *http.Client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithMiddleware appends middleware to the Caller chain. They apply in
// order: the first one given is the outermost and sees each call first.
func WithMiddleware(mw ...Middleware) Option {
	return func(c *config) error {
		for _, m := range mw {
			if m == nil {
				return errors.New("tg: WithMiddleware: nil Middleware")
			}
		}
		c.middlewares = append(c.middlewares, mw...)
		return nil
	}
}
