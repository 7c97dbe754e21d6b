package main

import (
	"fmt"
	"log/slog"
	"net"

	"github.com/heraldbot/herald/emulator"
	"github.com/spf13/cobra"
)

// newEmulatorCmd returns "herald emulator": serve the emulator's Bot API,
// control API and web chat page on one address until SIGINT or SIGTERM.
func newEmulatorCmd() *cobra.Command {
	var addr, limits string
	var concurrent bool
	cmd := &cobra.Command{
		Use:   "emulator",
		Short: "Run a fake Telegram Bot API server with a control API (see docs/EMULATOR.md)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ln, l, err := listenEmulator(addr, limits)
			if err != nil {
				return err
			}
			log := slog.Default()
			if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
				log.Warn("the emulator is reachable from other machines; its control API shows every bot token", "addr", ln.Addr().String())
			}
			emu := emulator.New(emulator.Options{Limits: &l, Logger: log, WebhookConcurrentPerChat: concurrent})
			base := "http://" + ln.Addr().String()
			fmt.Fprintf(cmd.OutOrStdout(), "Herald emulator listening on %s\n"+
				"  Bot API:     %s/bot<token>/<method>\n"+
				"  Files:       %s/file/bot<token>/<file_path>\n"+
				"  Control API: %s/control/\n"+
				"  Web chat:    %s/\n"+
				"  Limits:      %s\n", base, base, base, base, base, l.String())
			err = emu.Serve(cmd.Context(), ln)
			log.Info("emulator stopped")
			return err
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8081", "address to listen on")
	cmd.Flags().StringVar(&limits, "limits", "telegram", `rate limits: "telegram", "off" or custom such as "bot=100/s,chat=2/s:5,group=off"`)
	cmd.Flags().BoolVar(&concurrent, "webhook-concurrent", false, "deliver one chat's updates to a webhook concurrently (up to its max_connections) instead of one at a time")
	return cmd
}
