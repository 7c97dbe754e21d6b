package herald

// One registration method per update kind; each is Handle with that kind.

// Message registers h for each message update that passes the filters.
func (r *Router) Message(h Handler, filters ...Filter) { r.Handle(KindMessage, h, filters...) }

// EditedMessage registers h for each edited message update that passes the filters.
func (r *Router) EditedMessage(h Handler, filters ...Filter) {
	r.Handle(KindEditedMessage, h, filters...)
}

// ChannelPost registers h for each channel post update that passes the filters.
func (r *Router) ChannelPost(h Handler, filters ...Filter) { r.Handle(KindChannelPost, h, filters...) }

// EditedChannelPost registers h for each edited channel post update that passes the filters.
func (r *Router) EditedChannelPost(h Handler, filters ...Filter) {
	r.Handle(KindEditedChannelPost, h, filters...)
}

// BusinessConnection registers h for each business connection change update that passes the filters.
func (r *Router) BusinessConnection(h Handler, filters ...Filter) {
	r.Handle(KindBusinessConnection, h, filters...)
}

// BusinessMessage registers h for each business message update that passes the filters.
func (r *Router) BusinessMessage(h Handler, filters ...Filter) {
	r.Handle(KindBusinessMessage, h, filters...)
}

// EditedBusinessMessage registers h for each edited business message update that passes the filters.
func (r *Router) EditedBusinessMessage(h Handler, filters ...Filter) {
	r.Handle(KindEditedBusinessMessage, h, filters...)
}

// DeletedBusinessMessages registers h for each deletion of business messages update that passes the filters.
func (r *Router) DeletedBusinessMessages(h Handler, filters ...Filter) {
	r.Handle(KindDeletedBusinessMessages, h, filters...)
}

// GuestMessage registers h for each guest message update that passes the filters.
func (r *Router) GuestMessage(h Handler, filters ...Filter) {
	r.Handle(KindGuestMessage, h, filters...)
}

// MessageReaction registers h for each reaction change update that passes the filters.
func (r *Router) MessageReaction(h Handler, filters ...Filter) {
	r.Handle(KindMessageReaction, h, filters...)
}

// MessageReactionCount registers h for each anonymous reaction count change update that passes the filters.
func (r *Router) MessageReactionCount(h Handler, filters ...Filter) {
	r.Handle(KindMessageReactionCount, h, filters...)
}

// InlineQuery registers h for each inline query update that passes the filters.
func (r *Router) InlineQuery(h Handler, filters ...Filter) { r.Handle(KindInlineQuery, h, filters...) }

// ChosenInlineResult registers h for each chosen inline result update that passes the filters.
func (r *Router) ChosenInlineResult(h Handler, filters ...Filter) {
	r.Handle(KindChosenInlineResult, h, filters...)
}

// CallbackQuery registers h for each callback query (button press) update that passes the filters.
func (r *Router) CallbackQuery(h Handler, filters ...Filter) {
	r.Handle(KindCallbackQuery, h, filters...)
}

// ShippingQuery registers h for each shipping query update that passes the filters.
func (r *Router) ShippingQuery(h Handler, filters ...Filter) {
	r.Handle(KindShippingQuery, h, filters...)
}

// PreCheckoutQuery registers h for each pre-checkout query update that passes the filters.
func (r *Router) PreCheckoutQuery(h Handler, filters ...Filter) {
	r.Handle(KindPreCheckoutQuery, h, filters...)
}

// PurchasedPaidMedia registers h for each paid media purchase update that passes the filters.
func (r *Router) PurchasedPaidMedia(h Handler, filters ...Filter) {
	r.Handle(KindPurchasedPaidMedia, h, filters...)
}

// Poll registers h for each poll state change update that passes the filters.
func (r *Router) Poll(h Handler, filters ...Filter) { r.Handle(KindPoll, h, filters...) }

// PollAnswer registers h for each poll answer update that passes the filters.
func (r *Router) PollAnswer(h Handler, filters ...Filter) { r.Handle(KindPollAnswer, h, filters...) }

// MyChatMember registers h for each change of the bot's own membership update that passes the filters.
func (r *Router) MyChatMember(h Handler, filters ...Filter) {
	r.Handle(KindMyChatMember, h, filters...)
}

// ChatMember registers h for each chat member change update that passes the filters.
func (r *Router) ChatMember(h Handler, filters ...Filter) { r.Handle(KindChatMember, h, filters...) }

// ChatJoinRequest registers h for each chat join request update that passes the filters.
func (r *Router) ChatJoinRequest(h Handler, filters ...Filter) {
	r.Handle(KindChatJoinRequest, h, filters...)
}

// ChatBoost registers h for each chat boost update that passes the filters.
func (r *Router) ChatBoost(h Handler, filters ...Filter) { r.Handle(KindChatBoost, h, filters...) }

// RemovedChatBoost registers h for each removed chat boost update that passes the filters.
func (r *Router) RemovedChatBoost(h Handler, filters ...Filter) {
	r.Handle(KindRemovedChatBoost, h, filters...)
}

// ManagedBot registers h for each managed bot change update that passes the filters.
func (r *Router) ManagedBot(h Handler, filters ...Filter) { r.Handle(KindManagedBot, h, filters...) }
