// Package menu declares inline menus whose buttons are handlers.
//
// A menu is declared once: a text and rows of items. An Action item is a
// button with a stable id and a handler; a Sub item opens a submenu, and a
// Back item returns to the menu the submenu was opened from (its parent).
// Register checks the whole tree (unique ids, callback data within 64
// bytes) and adds one handler to a herald.Router that routes each press to
// its button:
//
//	root := menu.New("main", "What next?")
//	settings := menu.New("settings", "Settings")
//	root.Row(menu.Action("order", "Order", order), menu.Sub("Settings", settings))
//	settings.Row(menu.Action("lang", "Language", lang)).Row(menu.Back("‹ Back"))
//	if err := root.Register(r, menu.Options{}); err != nil { … }
//	r.Command("start", func(c *herald.Context) error { _, err := root.Send(c); return err })
//
// A button's callback data is "<root id>:1:<menu id>:<button id>" (packed
// by herald.CallbackData): the ids the author chose, not positions, so
// reordering rows or relabelling buttons keeps old messages working.
// Nothing is stored per message, so any instance of a fleet answers any
// press.
//
// Navigation (Sub, Back, Press.Show) edits the pressed message in place.
// Every press is answered (the client's spinner stops): by the handler
// through Press.Answer, or with an empty answer after it returns.
//
// A press the menu cannot route (a message drawn by an older version of
// the bot whose menu no longer has that button or that submenu, or data
// in an older format) is stale: it is answered with Options.Stale as a
// short notice, the message is then redrawn with the current menu when that
// menu still exists, and no error reaches the user or the bot's error
// handler.
package menu
