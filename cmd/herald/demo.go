package main

import (
	"log/slog"

	"github.com/spf13/cobra"
)

// newDemoCmd returns "herald demo": the emulator, its web chat page and
// the flagship shop bot in one process (demorun.go).
func newDemoCmd() *cobra.Command {
	var addr, db, limits string
	var webhook bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Try Herald: a fake Telegram with a web chat page and the example shop bot, in one process",
		Long: `herald demo starts the emulator (a fake Telegram Bot API with a web chat
page) and the flagship shop bot talking to it. Open the printed address in
a browser, pick the demo user and write /start. Nothing is sent to Telegram.

The shop's data and the conversations are kept in one SQLite file (--db),
so a checkout survives a restart. Ctrl-C stops everything cleanly.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ln, l, err := listenEmulator(addr, limits)
			if err != nil {
				return err
			}
			return runDemo(cmd.Context(), demoConfig{
				Listener: ln, DBPath: db, Webhook: webhook, Limits: &l,
				Out: cmd.OutOrStdout(), Logger: slog.Default(),
			})
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "loopback address for the emulator and its web page")
	cmd.Flags().StringVar(&db, "db", defaultDemoDBPath(), "SQLite file for the shop's data and conversations")
	cmd.Flags().BoolVar(&webhook, "webhook", false, "receive updates by webhook (on a loopback port) instead of long polling")
	cmd.Flags().StringVar(&limits, "limits", "telegram", `the emulator's rate limits: "telegram", "off" or custom (see herald emulator --help)`)
	return cmd
}
