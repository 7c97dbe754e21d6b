// Package scene organises a larger bot into scenes: named parts (a shop,
// a settings menu, a quiz) with their own handlers, which run only while
// the user is in the scene, OnEnter and OnLeave hooks, and typed data that
// lives as long as the user stays.
//
//	scenes := scene.NewManager()
//	shop := scene.New[Cart](scenes, "shop").
//		OnEnter(func(c *herald.Context) error { _, err := c.Reply("Welcome to the shop!"); return err }).
//		OnLeave(func(c *herald.Context) error { _, err := c.Reply("Bye!"); return err })
//	shop.Command("add", func(c *herald.Context) error {
//		return shop.Update(c, func(cart *Cart) error { cart.Items = append(cart.Items, c.Args()); return nil })
//	})
//	bot.Router().Command("shop", shop.Enter) // works in every scene: registered before them
//	scenes.Register(bot.Router())
//
// Entering a scene (Manager.Enter by name, or Scene.Enter) leaves the
// current one: its OnLeave runs, then the state and data are replaced and
// the new scene's OnEnter runs. Manager.Leave runs OnLeave and clears the
// conversation.
//
// A scene is a state group of the [fsm] package: a user in scene "shop" is
// in state "shop:main" ([Scene.Initial]) or another state of the group
// ([Scene.State], [Scene.Goto]); its data is the conversation's data, typed
// D. So a user is still in the scene after the bot restarts with a
// persistent backend (backend/sqlite, backend/redis).
//
// The handlers registered on a scene (Handle, Message, Command,
// CallbackQuery, Use) are filtered by herald.InState on the scene's
// group; updates of users elsewhere go on to the next handlers. A form of
// package fsm/form started in a scene takes over the conversation's state;
// its OnDone can enter the scene again.
package scene
