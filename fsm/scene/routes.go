package scene

import "github.com/heraldbot/herald"

// Registration shortcuts: they register on the scene's router (see
// Scene.Router), which is entered only while the user is in the scene;
// updates of other users go on to the handlers after the scene's.

// Handle registers h for the kinds of update, in the scene.
func (s *Scene[D]) Handle(kinds herald.UpdateKind, h herald.Handler, filters ...herald.Filter) {
	s.router.Handle(kinds, h, filters...)
}

// Message registers h for messages in the scene.
func (s *Scene[D]) Message(h herald.Handler, filters ...herald.Filter) {
	s.Handle(herald.KindMessage, h, filters...)
}

// CallbackQuery registers h for button presses in the scene.
func (s *Scene[D]) CallbackQuery(h herald.Handler, filters ...herald.Filter) {
	s.Handle(herald.KindCallbackQuery, h, filters...)
}

// Command registers h for the command /name in the scene.
func (s *Scene[D]) Command(name string, h herald.Handler, filters ...herald.Filter) {
	s.router.Command(name, h, filters...)
}

// Use adds middleware that runs for updates of users in the scene, before
// the scene's handlers are chosen.
func (s *Scene[D]) Use(m ...herald.Handler) {
	s.router.Use(m...)
}

// OnError sets the error handler of the scene's handlers (see
// herald.Router.OnError).
func (s *Scene[D]) OnError(fn func(c *herald.Context, err error) error) { s.router.OnError(fn) }
