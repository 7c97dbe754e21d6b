// Package keyboard builds Telegram keyboards: inline keyboards (buttons
// under a message) and reply keyboards (buttons in place of the user's
// keyboard), and paginated menus over typed callback data.
//
// Buttons are laid out with Row (one row as given) or Adjust (a flat list
// cut into rows of given sizes, the last size repeating, so Adjust(b, 2)
// is two columns and Adjust(b, 1, 3) is one wide button then rows of
// three). Markup checks what Telegram would refuse (an inline button
// without exactly one action, callback data over 64 bytes, more than 100
// buttons, an empty reply button) and returns an error wrapping
// ErrInvalid instead.
//
// A Pager shows a long list a page at a time: each item is a button with
// the item's typed callback data (herald.CallbackData), and a row of
// previous / next buttons whose own callback data names the page. Its
// Handler answers those presses by editing the menu in place; a press on
// a menu whose list has since shrunk shows the last page that exists.
package keyboard
