package herald

import "github.com/heraldbot/herald/tg"

// outboundConfig is how the bot's client keeps Telegram's limits.
// (Filled in by the outbound-limits work: default limiter and retry.)
type outboundConfig struct{}

// outboundOptions returns the tg.Client options that install the outbound
// limiter and retry policy, before the user's own client options.
func (b *Bot) outboundOptions() []tg.Option { return nil }
