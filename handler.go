package herald

// Handler handles an update. Middleware has the same signature: it runs code
// before and after calling c.Next(), which runs the rest of the chain; a
// middleware that does not call c.Next() stops the update there (it is then
// acknowledged as handled).
type Handler func(c *Context) error

// Filter decides whether a handler (or a conditional middleware) applies to
// an update. A filter may leave data for the handler in the Context, as the
// command and regexp filters do.
type Filter func(c *Context) bool

// mw is a registered middleware, optionally conditional.
type mw struct {
	filter Filter // nil: always
	h      Handler
}

// handler returns the middleware as a Handler: a conditional one passes the
// update on untouched when its filter does not match.
func (m mw) handler() Handler {
	if m.filter == nil {
		return m.h
	}
	f, h := m.filter, m.h
	return func(c *Context) error {
		if !f(c) {
			return c.Next()
		}
		return h(c)
	}
}

// matchAll reports whether every filter accepts the update.
func matchAll(c *Context, filters []Filter) bool {
	for _, f := range filters {
		if !f(c) {
			return false
		}
	}
	return true
}
