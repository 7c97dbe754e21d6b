package herald

// frame is one middleware chain being run: Next advances idx.
type frame struct {
	chain   []Handler
	idx     int
	reached bool // the router's route step ran (outer middleware called Next)
}

// Next runs the rest of the current chain: the next middleware, or the
// handler (or, for outer middleware, the routing step). Call it at most once,
// from the middleware's own goroutine.
func (c *Context) Next() error {
	f := &c.frames[len(c.frames)-1]
	f.idx++
	if f.idx >= len(f.chain) {
		return nil
	}
	return f.chain[f.idx](c)
}

// run pushes a chain and runs its first element.
func (c *Context) run(chain []Handler) (reached bool, err error) {
	depth := len(c.frames)
	c.frames = append(c.frames, frame{chain: chain})
	err = chain[0](c)
	reached = c.frames[depth].reached
	c.frames = c.frames[:depth]
	return reached, err
}

// dispatch runs router r (its outer middleware, then routing) for the update
// in c. It reports whether the router took the update: a handler ran, or an
// outer middleware stopped it. Panics become *PanicError; the router's error
// handler sees every error first.
func (r *Router) dispatch(c *Context) (taken bool, err error) {
	depth := len(c.frames)
	defer func() {
		if v := recover(); v != nil {
			c.frames = c.frames[:depth]
			taken, err = true, newPanicError(v)
		}
		if err != nil && r.onError != nil {
			err = r.onError(c, err)
		}
	}()
	reached, err := c.run(r.outerChain)
	return c.handled || !reached, err
}

// route is the last step of a router's outer chain: it finds the first
// matching handler or included router, in registration order. Entries
// registered with Command are looked up by the update's command and merged
// into the scan of the other entries, so unrelated commands cost nothing.
func (r *Router) route(c *Context) error {
	c.frames[len(c.frames)-1].reached = true
	var cmds []int
	if c.kind == KindMessage && len(r.commands) > 0 {
		if id := r.commandID(c); id < len(r.commands) {
			cmds = r.commands[id]
		}
	}
	plain := r.plain
	for len(plain) > 0 || len(cmds) > 0 {
		var i int
		if len(cmds) == 0 || (len(plain) > 0 && plain[0] < cmds[0]) {
			i, plain = plain[0], plain[1:]
		} else {
			i, cmds = cmds[0], cmds[1:]
		}
		e := r.entries[i]
		if e.router != nil {
			if e.router.kinds&c.kind == 0 || e.router.skips(c) || !matchAll(c, e.router.filters) {
				continue
			}
			if taken, err := e.router.dispatch(c); taken || err != nil {
				return err
			}
			continue
		}
		if e.kinds&c.kind == 0 {
			continue
		}
		if e.command != "" {
			p := c.parseCommand()
			c.command, c.args = p.name, p.args
		}
		if !matchAll(c, e.filters) {
			continue
		}
		c.handled, c.route = true, e.name
		_, err := c.run(e.chain)
		return err
	}
	return nil
}
