// Package shopbot is the Telegram side of Herald's flagship example, a
// small shop: a paginated catalog with inline keyboards, a cart, a
// checkout form (fsm/form) that survives restarts, a confirm button that
// creates exactly one order however often it is pressed, order history,
// PNG receipts rendered off the update path, and admin commands.
//
// Handlers only translate between updates and the services of package
// service, which they receive through Herald's dependency injection
// (herald.Provide in Options, herald.Require in Register). Wire it up
// with NewBot, or with New, Options and Register when you build the bot
// yourself:
//
//	st, err := shopbot.OpenStorage(ctx, "shop.db", "") // or a postgres:// URL for the shop's data
//	if err != nil {
//		return err
//	}
//	defer st.Close()
//	bot, shop, err := shopbot.NewBot(token, shopbot.Config{DB: st.DB, State: st.State, Admins: []int64{42}})
//	if err != nil {
//		return err
//	}
//	defer shop.Close(ctx)
//	return bot.RunWithSignals(ctx)
//
// cmd/herald's demo runs this same package against the emulator.
package shopbot
