package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// newWebhookCmd returns "herald webhook set|info|delete": operator tools for
// a bot's webhook. The token comes from BOT_TOKEN (never a flag, so that it
// stays out of shell history and process lists); --api points at another
// Bot API server (the emulator, a local server).
func newWebhookCmd() *cobra.Command {
	var api string
	cmd := &cobra.Command{
		Use:   "webhook",
		Short: "Set, inspect or delete the bot's webhook (token from $BOT_TOKEN)",
	}
	cmd.PersistentFlags().StringVar(&api, "api", envOr("HERALD_API_URL", tg.DefaultBaseURL), "Bot API base URL")
	client := func() (*tg.Client, error) {
		token, err := botToken()
		if err != nil {
			return nil, err
		}
		return tg.New(token, tg.WithBaseURL(api))
	}

	var set tg.SetWebhookParams
	var allowed string
	var maxConn int
	setCmd := &cobra.Command{
		Use:   "set URL",
		Short: "Point Telegram at URL; prints the secret token to configure the bot with",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client()
			if err != nil {
				return err
			}
			set.URL = args[0]
			// "message, callback_query" is read as two types: Telegram
			// would not recognise " callback_query".
			for u := range strings.SplitSeq(allowed, ",") {
				if u = strings.TrimSpace(u); u != "" {
					set.AllowedUpdates = append(set.AllowedUpdates, u)
				}
			}
			set.MaxConnections = int64(maxConn)
			generated := set.SecretToken == ""
			if generated {
				set.SecretToken = source.NewSecretToken()
			}
			if err := source.SetWebhook(cmd.Context(), c, set); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "webhook set")
			if generated {
				fmt.Fprintf(cmd.OutOrStdout(), "secret token: %s\n(give it to the bot as HERALD_WEBHOOK_SECRET)\n", set.SecretToken)
			}
			return nil
		},
	}
	setCmd.Flags().StringVar(&set.SecretToken, "secret", "", "secret token (generated when empty)")
	setCmd.Flags().IntVar(&maxConn, "max-connections", 0, "simultaneous deliveries, 1-100 (0: Telegram's default)")
	setCmd.Flags().StringVar(&allowed, "allowed-updates", "", "comma-separated update types (empty: keep the current setting)")
	setCmd.Flags().BoolVar(&set.DropPendingUpdates, "drop-pending", false, "drop the updates waiting now")

	infoCmd := &cobra.Command{
		Use:   "info",
		Short: "Show the webhook's state: URL, pending updates, last error",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client()
			if err != nil {
				return err
			}
			info, err := source.WebhookInfo(cmd.Context(), c)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			url := info.URL
			if url == "" {
				url = "(none: the bot uses long polling)"
			}
			fmt.Fprintf(w, "url:                  %s\n", url)
			fmt.Fprintf(w, "pending updates:      %d\n", info.PendingUpdateCount)
			fmt.Fprintf(w, "max connections:      %d\n", info.MaxConnections)
			if len(info.AllowedUpdates) > 0 {
				fmt.Fprintf(w, "allowed updates:      %s\n", strings.Join(info.AllowedUpdates, ","))
			}
			if info.LastErrorDate != 0 {
				fmt.Fprintf(w, "last error:           %s (%s)\n", info.LastErrorMessage, time.Unix(info.LastErrorDate, 0).UTC().Format(time.RFC3339))
			}
			return nil
		},
	}

	var dropPending bool
	deleteCmd := &cobra.Command{
		Use:   "delete",
		Short: "Remove the webhook (the bot can poll again)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client()
			if err != nil {
				return err
			}
			if err := source.DeleteWebhook(cmd.Context(), c, dropPending); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "webhook deleted")
			return nil
		},
	}
	deleteCmd.Flags().BoolVar(&dropPending, "drop-pending", false, "drop the updates waiting now")
	cmd.AddCommand(setCmd, infoCmd, deleteCmd)
	return cmd
}

// envOr returns the environment variable, or def when it is unset.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
