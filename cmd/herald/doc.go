// Command herald is the Herald command line:
//
//	herald demo        the emulator, its web chat page and the shop bot in one process
//	herald emulator    a fake Telegram Bot API server with a control API and chat page
//	herald bench       end-to-end updates/s and reply latency, against a baseline bot
//	herald webhook     set, show or delete a bot's webhook
//	herald broadcast   durable mass sends with progress, rate and ETA
//	herald journal     a bot's update journal: partitions, lag, owners, dead letters, requeue
//	herald version     Herald's, Go's and the Bot API's versions
//
// Every command exits with status 0 on success and 1 on an error;
// herald broadcast also exits with 2 when its campaign ran to its end but
// reached no recipient (see herald broadcast --help).
//
// Logic lives in the library packages; this command only wires flags and
// environment variables (BOT_TOKEN, HERALD_JOURNAL) to them. Run
// `herald <command> --help` for the flags of each.
package main
