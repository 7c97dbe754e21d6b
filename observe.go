package herald

import (
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"strings"
)

// WithHTTPHandler serves h at pattern (an http.ServeMux pattern such as
// "GET /metrics") on the bot's own webhook server, next to the webhook
// and the probes. It has no effect in polling mode or when the webhook is
// mounted in your own server (WebhookConfig.Listen empty): mount h there.
func WithHTTPHandler(pattern string, h http.Handler) Option {
	return func(b *Bot) error {
		if pattern == "" || h == nil {
			return fmt.Errorf("herald: WithHTTPHandler needs a pattern and a handler")
		}
		b.run.routes = append(b.run.routes, route{pattern, h})
		return nil
	}
}

// WithWebhookMiddleware wraps the webhook endpoint the bot's own webhook
// server serves (metrics of its answers, access logs). Middleware given
// more than once wrap in order: the first is outermost. When you mount
// Bot.WebhookHandler yourself, wrap it there instead.
func WithWebhookMiddleware(mw func(http.Handler) http.Handler) Option {
	return func(b *Bot) error {
		if mw == nil {
			return fmt.Errorf("herald: WithWebhookMiddleware(nil)")
		}
		b.run.webhookMW = append(b.run.webhookMW, mw)
		return nil
	}
}

// route is a handler added to the webhook server by WithHTTPHandler.
type route struct {
	pattern string
	h       http.Handler
}

// mountRoutes adds the WithHTTPHandler routes to mux, turning the panic
// of a pattern that is invalid or taken (by the webhook or a probe) into
// an error.
func mountRoutes(mux *http.ServeMux, routes []route) (err error) {
	for _, r := range routes {
		func() {
			defer func() {
				if v := recover(); v != nil {
					err = fmt.Errorf("herald: WithHTTPHandler(%q): %v", r.pattern, v)
				}
			}()
			mux.Handle(r.pattern, r.h)
		}()
		if err != nil {
			return err
		}
	}
	return nil
}

// wrapWebhook applies the WithWebhookMiddleware wrappers to h.
func (b *Bot) wrapWebhook(h http.Handler) http.Handler {
	for i := len(b.run.webhookMW) - 1; i >= 0; i-- {
		h = b.run.webhookMW[i](h)
	}
	return h
}

// Route returns the handler that took the update, as "router/handler":
// the router's name, then "/command" for a handler registered with
// Command, else the handler function's name ("shop/(*handlers).cart").
// It is "" while routing has not picked one, and when none took the
// update. Middleware read it after c.Next() returns.
func (c *Context) Route() string {
	if c.scratch == nil {
		return ""
	}
	return c.route
}

// routeName is the Route of entry e of router r.
func routeName(r *Router, e *entry) string {
	if e.command != "" {
		return r.name + "//" + e.command
	}
	return r.name + "/" + funcName(e.h)
}

// funcName is fn's name without its package path ("pkg.(*T).m"), or
// "handler" when the runtime cannot name it.
func funcName(fn any) string {
	f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer())
	if f == nil {
		return "handler"
	}
	name := f.Name()
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return strings.TrimSuffix(name, "-fm")
}
