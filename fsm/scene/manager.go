package scene

import (
	"errors"
	"fmt"

	"github.com/heraldbot/herald"
)

// ErrUnknownScene is returned by Manager.Enter for a name no scene has.
var ErrUnknownScene = errors.New("scene: no scene of that name")

// Manager holds a bot's scenes and switches between them: entering a scene
// leaves the current one first. Create it and its scenes at start-up and
// Register it on a router.
type Manager struct {
	router *herald.Router
	scenes map[string]*core
}

// NewManager returns a manager without scenes.
func NewManager() *Manager {
	return &Manager{router: herald.NewRouter("scenes"), scenes: map[string]*core{}}
}

// Register includes the routers of the manager's scenes in r (once).
// Routing is in registration order: handlers registered on r before
// Register (commands that work everywhere, such as /start or /help) come
// before the scenes' handlers, those registered after (catch-alls) only
// get what the scenes left.
func (m *Manager) Register(r *herald.Router) { r.Include(m.router) }

// Enter leaves the current scene (its OnLeave runs) and enters the scene
// called name: its state becomes the scene's Initial state, its data the
// zero value, and its OnEnter runs. Entering the current scene restarts
// it. If OnLeave fails, nothing changes; if OnEnter fails, the user is in
// the new scene. Both errors are returned.
func (m *Manager) Enter(c *herald.Context, name string) error {
	s, ok := m.scenes[name]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownScene, name)
	}
	return m.switchTo(c, s, s.reset)
}

// Leave leaves the current scene: its OnLeave runs, then the
// conversation's state and data are cleared. Outside any scene (in no
// state, or in a form's) it does nothing.
func (m *Manager) Leave(c *herald.Context) error { return m.switchTo(c, nil, nil) }

// Current returns the name of the scene the update's user is in, or "".
func (m *Manager) Current(c *herald.Context) (string, error) {
	s, err := m.current(c)
	if s == nil {
		return "", err
	}
	return s.name, nil
}

func (m *Manager) current(c *herald.Context) (*core, error) {
	st, err := c.FSM().State(c)
	if err != nil {
		return nil, err
	}
	return m.scenes[string(st.Group())], nil
}

// switchTo runs the current scene's OnLeave, then write (which stores the
// state of to) and to's OnEnter; with to nil it clears the conversation.
func (m *Manager) switchTo(c *herald.Context, to *core, write func(c *herald.Context) error) error {
	from, err := m.current(c)
	if err != nil {
		return err
	}
	if from != nil && from.onLeave != nil {
		if err := from.onLeave(c); err != nil {
			return fmt.Errorf("scene %q: OnLeave: %w", from.name, err)
		}
	}
	if to == nil {
		if from == nil {
			return nil
		}
		return c.FSM().Clear(c)
	}
	if err := write(c); err != nil {
		return fmt.Errorf("scene %q: enter: %w", to.name, err)
	}
	if to.onEnter != nil {
		if err := to.onEnter(c); err != nil {
			return fmt.Errorf("scene %q: OnEnter: %w", to.name, err)
		}
	}
	return nil
}
