package herald

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
)

// Router holds handlers, middleware and child routers. Routers include
// routers; an update goes to the first handler, in registration order and
// depth first through included routers, whose kind and filters match.
//
// Register everything before the bot runs: a Router is frozen at start-up
// and registering afterwards panics.
type Router struct {
	name    string
	outer   []mw
	inner   []mw
	entries []*entry
	onError func(c *Context, err error) error
	needs   []dependency
	filters []Filter // the router is entered only when they all match

	freeze     sync.Once
	frozen     bool
	parent     *Router
	kinds      UpdateKind    // every kind a handler in this subtree accepts
	outerChain []Handler     // outer middleware, then route
	plain      []int         // indexes of entries that are not commands
	table      *commandTable // the ids of the tree's command names
	commands   [][]int       // command id → indexes of its entries here
	subtree    big.Int       // bit i set: command id i is in this subtree
	anyUpdate  bool          // the subtree has outer middleware or non-command handlers
}

// entry is a handler or an included router, in registration order.
type entry struct {
	kinds   UpdateKind
	filters []Filter
	h       Handler
	command string    // set by Router.Command: matched by lookup, before filters
	chain   []Handler // inherited inner middleware, then h
	router  *Router
	name    string // Context.Route, set when the tree is frozen
}

// NewRouter returns an empty router. The name appears in logs and errors.
func NewRouter(name string) *Router { return &Router{name: name} }

// Name returns the router's name.
func (r *Router) Name() string { return r.name }

func (r *Router) mustNotBeFrozen() {
	if r.frozen {
		panic(fmt.Sprintf("herald: router %q: registration after the bot started", r.name))
	}
}

// Use adds outer middleware: it runs for every update that reaches this
// router, before any filter, in registration order, and around included
// routers too.
func (r *Router) Use(m ...Handler) {
	r.mustNotBeFrozen()
	for _, h := range m {
		r.outer = append(r.outer, mw{h: h})
	}
}

// UseIf adds outer middleware that runs only for updates the filter accepts.
func (r *Router) UseIf(f Filter, m Handler) {
	r.mustNotBeFrozen()
	r.outer = append(r.outer, mw{filter: f, h: m})
}

// UseInner adds inner middleware: it wraps the chosen handler, after its
// filters matched. Inner middleware of a router applies to the handlers of
// the routers it includes too, outermost first.
func (r *Router) UseInner(m ...Handler) {
	r.mustNotBeFrozen()
	for _, h := range m {
		r.inner = append(r.inner, mw{h: h})
	}
}

// UseInnerIf adds inner middleware that runs only when the filter accepts.
func (r *Router) UseInnerIf(f Filter, m Handler) {
	r.mustNotBeFrozen()
	r.inner = append(r.inner, mw{filter: f, h: m})
}

// OnError sets this router's error handler. It receives errors and recovered
// panics (as *PanicError) of the router's handlers and middleware, and those
// that included routers did not handle. Returning nil marks the error
// handled; returning an error passes it to the parent, and from the root to
// the bot's error handler.
func (r *Router) OnError(fn func(c *Context, err error) error) {
	r.mustNotBeFrozen()
	r.onError = fn
}

// Filter makes the router (its outer middleware and everything in it) see
// only updates that pass every filter; other updates go on to the entries
// after it, as if it were not there. A scene's router, for example, filters
// on the scene's states.
func (r *Router) Filter(filters ...Filter) {
	r.mustNotBeFrozen()
	r.filters = append(r.filters, filters...)
}

// Include adds child routers. A router can be included once.
func (r *Router) Include(children ...*Router) {
	r.mustNotBeFrozen()
	for _, ch := range children {
		if ch == r || ch.parent != nil {
			panic(fmt.Sprintf("herald: router %q is already included", ch.name))
		}
		for p := r; p != nil; p = p.parent {
			if p == ch {
				panic(fmt.Sprintf("herald: including router %q in %q makes a cycle", ch.name, r.name))
			}
		}
		ch.parent = r
		r.entries = append(r.entries, &entry{router: ch})
	}
}

// Handle registers h for the given kinds of update (a set, e.g.
// KindMessage|KindEditedMessage) and filters.
func (r *Router) Handle(kinds UpdateKind, h Handler, filters ...Filter) {
	r.mustNotBeFrozen()
	if h == nil {
		panic(fmt.Sprintf("herald: router %q: nil handler", r.name))
	}
	r.entries = append(r.entries, &entry{kinds: kinds, filters: filters, h: h})
}

// Any registers h for every kind of update.
func (r *Router) Any(h Handler, filters ...Filter) { r.Handle(AllKinds, h, filters...) }

// Command registers h for messages with the command /name (with or without
// @botname, which must be this bot's; compared case-insensitively) that pass
// the filters. The handler reads the arguments with c.Args(). Routing to a
// command is a lookup, not a scan, however many commands are registered.
func (r *Router) Command(name string, h Handler, filters ...Filter) {
	r.Handle(KindMessage, h, filters...)
	r.entries[len(r.entries)-1].command = strings.ToLower(strings.TrimPrefix(name, "/"))
}

// errNoHandler is returned internally when no handler took the update.
var errNoHandler = errors.New("herald: no handler")

// prepare freezes the tree rooted at r: it numbers its commands and builds
// every middleware chain once, so that dispatching an update allocates
// nothing.
func (r *Router) prepare() {
	r.freeze.Do(func() {
		t := &commandTable{ids: map[string]int{}}
		t.number(r)
		r.build(nil, t)
	})
}

// build freezes r, which belongs to the tree numbered by t, and the routers
// below it.
func (r *Router) build(inherited []Handler, t *commandTable) {
	r.frozen, r.table = true, t
	inner := append(append([]Handler{}, inherited...), chainOf(r.inner)...)
	r.outerChain = append(chainOf(r.outer), r.route)
	r.anyUpdate = len(r.outer) > 0
	for i, e := range r.entries {
		if e.router != nil {
			e.router.build(inner, t)
			r.kinds |= e.router.kinds
			r.anyUpdate = r.anyUpdate || e.router.anyUpdate
			r.subtree.Or(&r.subtree, &e.router.subtree)
			r.plain = append(r.plain, i)
			continue
		}
		e.chain = append(append([]Handler{}, inner...), e.h)
		e.name = routeName(r, e)
		r.kinds |= e.kinds
		if e.command == "" {
			r.anyUpdate = true
			r.plain = append(r.plain, i)
			continue
		}
		id := t.ids[e.command]
		if len(r.commands) <= id {
			r.commands = append(r.commands, make([][]int, id+1-len(r.commands))...)
		}
		r.commands[id] = append(r.commands[id], i)
		r.subtree.SetBit(&r.subtree, id, 1)
	}
}

func chainOf(ms []mw) []Handler {
	out := make([]Handler, len(ms))
	for i, m := range ms {
		out[i] = m.handler()
	}
	return out
}

// walk calls fn for r and every router below it.
func (r *Router) walk(fn func(*Router)) {
	fn(r)
	for _, e := range r.entries {
		if e.router != nil {
			e.router.walk(fn)
		}
	}
}
