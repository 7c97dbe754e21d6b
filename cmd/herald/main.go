package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/heraldbot/herald/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd().ExecuteContext(ctx); err != nil {
		os.Exit(exitCode(err))
	}
}

// exitError is an error that asks for an exit status other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode is the process's exit status for an error a command returned:
// an exitError's code, else 1.
func exitCode(err error) int {
	if e, ok := errors.AsType[*exitError](err); ok {
		return e.code
	}
	return 1
}

// newRootCmd returns the "herald" command with its subcommands.
func newRootCmd() *cobra.Command {
	var level, format string
	root := &cobra.Command{
		Use:           "herald",
		Short:         "Herald: a framework and runtime for Telegram bots",
		SilenceUsage:  true,
		SilenceErrors: false,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			logger, err := newLogger(cmd.ErrOrStderr(), level, format)
			if err != nil {
				return err
			}
			slog.SetDefault(logger)
			return nil
		},
	}
	root.PersistentFlags().StringVar(&level, "log-level", "info", "log level: debug, info, warn or error")
	root.PersistentFlags().StringVar(&format, "log-format", "text", "log format: text or json")
	root.AddCommand(newDemoCmd(), newEmulatorCmd(), newBenchCmd(), newWebhookCmd(), newBroadcastCmd(), newJournalCmd(), newJobsCmd(), newVersionCmd())
	return root
}

// newLogger returns a slog.Logger writing to w at the given level.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

// botToken returns the token from BOT_TOKEN: never a flag, so that it stays
// out of shell history and process lists.
func botToken() (string, error) {
	token := os.Getenv("BOT_TOKEN")
	if token == "" {
		return "", errors.New("set BOT_TOKEN to the bot's token")
	}
	return token, nil
}

// listenEmulator parses the --limits flag and listens on --addr, as the
// emulator and demo commands both do.
func listenEmulator(addr, limits string) (net.Listener, emulator.Limits, error) {
	l, err := emulator.ParseLimits(limits)
	if err != nil {
		return nil, l, err
	}
	ln, err := net.Listen("tcp", addr)
	return ln, l, err
}
