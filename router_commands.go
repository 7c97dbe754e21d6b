package herald

// commandTable numbers the command names registered anywhere in one router
// tree. An update's command is looked up once; each router then finds its
// entries, and whether its subtree has any, by indexing with that number.
type commandTable struct {
	ids map[string]int // lower-case name → id, from 1
}

// number gives every command in the tree rooted at r an id.
func (t *commandTable) number(r *Router) {
	r.walk(func(r *Router) {
		for _, e := range r.entries {
			if _, ok := t.ids[e.command]; e.command != "" && !ok {
				t.ids[e.command] = len(t.ids) + 1
			}
		}
	})
}

// commandID returns the id of the update's command in r's tree, or 0 when
// the update carries no command for this bot or the tree has no such
// command. The lookup is made once per update and tree.
func (r *Router) commandID(c *Context) int {
	p := c.parseCommand()
	if !p.ok || !p.forMe {
		return 0
	}
	if p.table != r.table {
		p.table, p.id = r.table, r.table.ids[p.lower]
	}
	return p.id
}

// skips reports that no entry of r's subtree can take the update in c, so
// routing need not enter r: every handler in it is a command other than the
// update's, and no router in it has outer middleware (which runs for every
// update, matched or not).
func (r *Router) skips(c *Context) bool {
	if r.anyUpdate {
		return false
	}
	return c.kind != KindMessage || r.subtree.Bit(r.commandID(c)) == 0
}
