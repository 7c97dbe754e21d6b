// Command heraldtuned is the peer bench's Herald echo bot with the
// documented options a busy bot would choose: the Bot API through
// tg/fasthttp and, when polling, the embedded SQLite update journal (each
// update fetched once, confirmed once stored), in a temporary directory.
package main

import (
	"context"
	"os"
	"path/filepath"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/bench/peers/internal/botenv"
	"github.com/heraldbot/herald/bench/peers/internal/heraldbot"
	"github.com/heraldbot/herald/tg"
	"github.com/heraldbot/herald/tg/fasthttp"
)

func main() { heraldbot.Run(tune) }

func tune(ctx context.Context, cfg botenv.Config, p botenv.Printer) ([]tg.Option, []herald.Option, func()) {
	client := []tg.Option{tg.WithHTTPClient(fasthttp.Client(fasthttp.Config{}))}
	if cfg.IsWebhook() {
		return client, nil, nil
	}
	dir, err := os.MkdirTemp("", "herald-peers-")
	if err != nil {
		p.Fatal("journal directory", err)
	}
	store, err := sqlite.Open(ctx, filepath.Join(dir, "journal.db"), sqlite.Options{})
	if err != nil {
		_ = os.RemoveAll(dir)
		p.Fatal("sqlite.Open", err)
	}
	done := func() { _ = store.Close(); _ = os.RemoveAll(dir) }
	return client, []herald.Option{herald.WithJournal(store.Journal(), herald.JournalConfig{})}, done
}
