package herald

import (
	"fmt"
	"reflect"
)

// dependency is a service type a router declared with Require.
type dependency struct {
	typ reflect.Type
}

// Dep reads a required service in handlers. Get it from Require at
// registration time; Get on the hot path is a map lookup by type, with no
// reflection and no string keys.
type Dep[T any] struct{ typ reflect.Type }

// Require declares that handlers of router r use a service of type T and
// returns its accessor. The bot refuses to start (Run returns a
// *MissingDependencyError) when no service of type T was provided.
func Require[T any](r *Router) Dep[T] {
	r.mustNotBeFrozen()
	t := reflect.TypeFor[T]()
	r.needs = append(r.needs, dependency{typ: t})
	return Dep[T]{typ: t}
}

// Get returns the service. It panics only if the dependency was never
// declared with Require (start-up checks every declared one).
func (d Dep[T]) Get(c *Context) T {
	v, ok := c.bot.services[d.typ]
	if !ok {
		panic(fmt.Sprintf("herald: service %v was not declared with herald.Require", d.typ))
	}
	return v.(T)
}

// Provide registers a service of type T on the bot (pass T explicitly for
// interfaces: herald.Provide[Store](pg)). Handlers read it through the Dep
// returned by Require.
func Provide[T any](v T) Option {
	return func(b *Bot) error {
		t := reflect.TypeFor[T]()
		if _, dup := b.services[t]; dup {
			return fmt.Errorf("herald: service %v provided twice", t)
		}
		b.services[t] = v
		return nil
	}
}

// checkDependencies reports every required service that was not provided.
func (b *Bot) checkDependencies() error {
	var missing []string
	b.root.walk(func(r *Router) {
		for _, d := range r.needs {
			if _, ok := b.services[d.typ]; !ok {
				missing = append(missing, fmt.Sprintf("%v (required by router %q)", d.typ, r.name))
			}
		}
	})
	if len(missing) > 0 {
		return &MissingDependencyError{Missing: missing}
	}
	return nil
}
