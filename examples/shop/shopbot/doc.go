// Package shopbot is the Telegram side of Herald's flagship example, a
// small shop: a paginated catalog with inline keyboards, a cart, a
// checkout form (fsm/form) that survives restarts, a confirm button that
// creates exactly one order however often it is pressed, order history,
// PNG receipts rendered off the update path, and admin commands.
//
// The shop speaks English and German (package i18n; the catalogs are in
// locales/): each customer in their Telegram language, or the one they
// pick with /language, with the command menu published per language
// (SetCommands). Messages are built with package format (entities, no
// markup to escape) and keyboards with package keyboard.
//
// Handlers only translate between updates and the services of package
// service, which they receive through Herald's dependency injection
// (herald.Provide in Options, herald.Require in Register). The shop knows
// no storage engine: its business data is the service package's database,
// and everything the bot keeps (the checkout conversation, update claims,
// chat locks, limiter buckets, broadcasts) is in the engine its main
// passes as herald.WithBackend. Wire it up with NewBot, or with New,
// Options, Register and Attach when you build the bot yourself:
//
//	db, err := service.Open(ctx, "shop.db") // or a postgres:// URL
//	if err != nil {
//		return err
//	}
//	defer db.Close()
//	bot, shop, err := shopbot.NewBot(token, shopbot.Config{DB: db, Admins: []int64{42}},
//		herald.WithBackend(engine), herald.ConfigFromEnv()) // engine: opened by main
//	if err != nil {
//		return err
//	}
//	defer shop.Close(ctx)
//	return bot.RunWithSignals(ctx)
//
// Any number of instances may share one engine and one database: every
// update is handled once, an order is placed once, a broadcast reaches
// each customer once and is resumed by another instance if its own dies.
// cmd/herald's demo runs this same package against the emulator.
package shopbot
