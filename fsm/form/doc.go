// Package form builds multi-step forms for Herald bots: a declared list of
// questions that fills a typed result, with Back, Skip and Cancel, a
// summary with Confirm and Edit, and a completion callback.
//
//	type Order struct {
//		Name  string
//		Qty   int
//		Email string
//	}
//
//	orderForm := form.New[Order]("order").
//		Text("name", "What's your name?", func(o *Order, v string) error { o.Name = v; return nil }).
//		Field("qty", "How many?", form.Into(form.Int(1, 99), func(o *Order, v int) error { o.Qty = v; return nil })).
//		Field("email", "Your e-mail?", form.Into(form.Regexp(emailRE, "That is not an e-mail address."),
//			func(o *Order, v string) error { o.Email = v; return nil }), form.Optional()).
//		Summary(func(o Order) string { return fmt.Sprintf("%d for %s", o.Qty, o.Name) }).
//		OnDone(func(c *herald.Context, o Order) error { _, err := c.Reply("Ordered!"); return err })
//	orderForm.Register(bot.Router())
//	bot.Router().Command("order", orderForm.Start)
//
// A field is a prompt, a [Parser] (built in: [Text], [Int], [Regexp],
// [OneOf] and [Choices] with buttons, or [Func]; add checks with
// [Parser.Validate]) and a setter, bound by [Into]. A bad answer is
// answered with the parser's error and the question again.
//
// Each question shows inline buttons: the choices, Back, Skip (optional
// fields only) and Cancel; /back, /skip and /cancel do the same. After
// the last question the summary offers Confirm, Edit (pick a field,
// answer it again, return to the summary), Back and Cancel. Confirm clears
// the form's state and calls OnDone with the result.
//
// The progress lives in the conversation state ([fsm]): the form's name is
// its state group, each field a state ("order:qty") and the summary one
// more ("order:_summary"); the values given so far are the state's data,
// stored as JSON (so T's fields must be exported, or T must marshal
// itself). With a persistent backend (backend/sqlite, backend/redis) a
// form resumes at the same question after the bot restarts. Every step is
// one atomic compare-and-set write, so a double tap cannot skip a
// question.
//
// The handlers match only users in the form's states, so forms compose
// with other routers; other commands pass through. Buttons carry a short
// callback data ("form.order:o:1x2y3z:1:0": action, run, step, argument),
// and a button pressed after the form ended, or in another step or run,
// is answered with [Texts].Stale.
package form
