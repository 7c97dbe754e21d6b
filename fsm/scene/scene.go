package scene

import (
	"errors"
	"fmt"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/fsm"
)

// core is the part of a scene that does not depend on its data type.
type core struct {
	name    string
	group   fsm.Group
	m       *Manager
	router  *herald.Router
	onEnter func(c *herald.Context) error
	onLeave func(c *herald.Context) error
	reset   func(c *herald.Context) error // enter with zero data
}

// Scene is a named part of a bot with its own handlers, which run only
// while the user is in the scene, enter and leave hooks, and data of type
// D kept in the conversation while the user is in it.
//
// The scene's states form the group named after it: a user in the scene
// is in one of them, Initial when entering, others with Goto. Since state
// and data are in the FSM, a user is still in the scene, with the same
// data, after the bot restarts with a persistent backend (the hooks do
// not run again: they mark moves between scenes, not process starts).
type Scene[D any] struct {
	core
}

// New adds a scene called name (a state group name: no ':' or '*') to m.
// It panics if m already has a scene of that name.
func New[D any](m *Manager, name string) *Scene[D] {
	g := fsm.NewGroup(name)
	if _, dup := m.scenes[name]; dup {
		panic(fmt.Sprintf("scene: two scenes named %q", name))
	}
	s := &Scene[D]{core{name: name, group: g, m: m, router: herald.NewRouter("scene " + name)}}
	var zero D
	s.reset = s.setInitial(zero)
	s.router.Filter(herald.InState(g.Any())) // the whole router only sees users in the scene
	m.scenes[name] = &s.core
	m.router.Include(s.router)
	return s
}

// Router returns the scene's router: everything registered on it (any
// update kind, middleware, included routers) runs only for users in the
// scene; other updates go on past it.
func (s *Scene[D]) Router() *herald.Router { return s.router }

// Name returns the scene's name.
func (s *Scene[D]) Name() string { return s.name }

// Group returns the scene's state group.
func (s *Scene[D]) Group() fsm.Group { return s.group }

// Initial returns the state a user is in after entering the scene.
func (s *Scene[D]) Initial() fsm.State { return s.group.State("main") }

// State returns the scene's state called name, for Goto and for
// herald.InState filters on the scene's handlers.
func (s *Scene[D]) State(name string) fsm.State { return s.group.State(name) }

// OnEnter sets the hook that runs after a user entered the scene.
func (s *Scene[D]) OnEnter(fn func(c *herald.Context) error) *Scene[D] {
	s.onEnter = fn
	return s
}

// OnLeave sets the hook that runs before a user leaves the scene (by
// Leave or by entering another scene); the scene's data is still there.
func (s *Scene[D]) OnLeave(fn func(c *herald.Context) error) *Scene[D] {
	s.onLeave = fn
	return s
}

// Enter is the manager's Enter for this scene.
func (s *Scene[D]) Enter(c *herald.Context) error { return s.m.Enter(c, s.name) }

// EnterWith is Enter with initial data.
func (s *Scene[D]) EnterWith(c *herald.Context, data D) error {
	return s.m.switchTo(c, &s.core, s.setInitial(data))
}

// setInitial returns the write of Manager.switchTo that puts the user in the
// scene's Initial state with data.
func (s *Scene[D]) setInitial(data D) func(c *herald.Context) error {
	return func(c *herald.Context) error { return fsm.Set(c, c.FSM(), s.Initial(), data) }
}

// Leave is the manager's Leave.
func (s *Scene[D]) Leave(c *herald.Context) error { return s.m.Leave(c) }

// ErrNotInScene is returned by a scene's data methods and Goto when the
// update's user is not in the scene.
var ErrNotInScene = errors.New("scene: the user is not in the scene")

// check returns ErrNotInScene unless the user is in the scene.
func (s *core) check(c *herald.Context) error {
	st, err := c.FSM().State(c)
	if err != nil {
		return err
	}
	return s.in(st)
}

// in returns ErrNotInScene unless st is a state of the scene.
func (s *core) in(st fsm.State) error {
	if !st.InGroup(s.group) {
		return fmt.Errorf("%w %q (state %q)", ErrNotInScene, s.name, st)
	}
	return nil
}

// Goto moves the user to another state of the scene, keeping its data.
func (s *Scene[D]) Goto(c *herald.Context, state fsm.State) error {
	if !state.InGroup(s.group) || state.IsPattern() {
		return fmt.Errorf("scene %q: Goto(%q): not a state of the scene", s.name, state)
	}
	if err := s.check(c); err != nil {
		return err
	}
	return c.FSM().SetState(c, state)
}

// Data returns the scene's data.
func (s *Scene[D]) Data(c *herald.Context) (D, error) {
	if err := s.check(c); err != nil {
		var zero D
		return zero, err
	}
	return fsm.GetData[D](c, c.FSM())
}

// SetData replaces the scene's data.
func (s *Scene[D]) SetData(c *herald.Context, data D) error {
	if err := s.check(c); err != nil {
		return err
	}
	return fsm.SetData(c, c.FSM(), data)
}

// Update changes the scene's data atomically (see fsm.Update: fn may run
// more than once, and should only edit d).
func (s *Scene[D]) Update(c *herald.Context, fn func(d *D) error) error {
	if err := s.check(c); err != nil {
		return err
	}
	return fsm.Update(c, c.FSM(), func(st *fsm.State, d *D) error {
		if err := s.in(*st); err != nil {
			return err
		}
		return fn(d)
	})
}
