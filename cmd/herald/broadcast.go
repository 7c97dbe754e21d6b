package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/broadcast"
	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/tg"
)

// broadcastFlags are the flags of "herald broadcast".
type broadcastFlags struct {
	db, api, recipients, text, parseMode, photo, name string
	buttons                                           []string
	paid                                              bool
	from                                              int64
	concurrency                                       int
}

// newBroadcastCmd returns "herald broadcast": create a campaign from a
// file of chat ids, or resume one, and send it with Telegram's limits,
// showing a progress bar on stderr. The token comes from BOT_TOKEN.
func newBroadcastCmd() *cobra.Command {
	var f broadcastFlags
	cmd := &cobra.Command{
		Use:   "broadcast",
		Short: "Send a message to many chats at the highest rate Telegram allows; resumable (token from $BOT_TOKEN)",
		Long: `Create a campaign (--recipients, --text, ...) or resume one (--from-campaign)
and send it at the rate Telegram's limits allow, one message per recipient
even across crashes. Progress goes to stderr; Ctrl-C stops cleanly, and the
same command with --from-campaign resumes. State is kept in --db (SQLite).

After the run, the reasons of the recipients that failed or were skipped
are printed, grouped by reason with their counts and first chat ids.

Exit status:
  0  the campaign ran to its end and at least one recipient has the message
  1  an error (bad flags, the --db file, the Bot API unreachable), or
     stopped by Ctrl-C before the end (resume with --from-campaign)
  2  the campaign ran to its end but no recipient got the message (every
     one blocked the bot, failed or was skipped; the reasons are printed)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBroadcast(cmd, &f) },
	}
	fl := cmd.PersistentFlags()
	fl.StringVar(&f.db, "db", envOr("HERALD_DB", "herald.db"), "SQLite file holding campaigns")
	fl = cmd.Flags()
	fl.StringVar(&f.api, "api", envOr("HERALD_API_URL", tg.DefaultBaseURL), "Bot API base URL")
	fl.StringVar(&f.recipients, "recipients", "", "file of chat ids, one per line (# comments, blank lines ignored)")
	fl.Int64Var(&f.from, "from-campaign", 0, "resume this campaign instead of creating one")
	fl.StringVar(&f.text, "text", "", "message text (the caption with --photo)")
	fl.StringVar(&f.parseMode, "parse-mode", "", "HTML, Markdown or MarkdownV2")
	fl.StringArrayVar(&f.buttons, "button", nil, `inline URL button "label=url", one row each (repeatable)`)
	fl.StringVar(&f.photo, "photo", "", "send this photo (a file_id) with the text as caption")
	fl.StringVar(&f.name, "name", "", "campaign name")
	fl.BoolVar(&f.paid, "paid", false, "paid broadcast: allow_paid_broadcast, up to 1000 messages/s (costs Stars)")
	fl.IntVar(&f.concurrency, "concurrency", 8, "sends in flight")
	cmd.AddCommand(newBroadcastListCmd(&f))
	return cmd
}

func runBroadcast(cmd *cobra.Command, f *broadcastFlags) error {
	token, err := botToken()
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	db, err := sqlite.Open(ctx, f.db, sqlite.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	store := db.Broadcasts()
	c, err := campaignFor(ctx, cmd, f, store)
	if err != nil {
		return err
	}
	lim := limit.New(limit.Config{PaidBroadcast: c.Paid})
	client, err := tg.New(token, tg.WithBaseURL(f.api), tg.WithMiddleware(limit.Retry(limit.RetryConfig{}), lim.Middleware()))
	if err != nil {
		return err
	}
	bar := newProgressBar(cmd.ErrOrStderr(), 100*time.Millisecond)
	p, err := broadcast.Run(ctx, client, store, c.ID, broadcast.Options{Concurrency: f.concurrency, OnProgress: bar.update})
	bar.finish(p)
	fmt.Fprintf(cmd.OutOrStdout(), "campaign %d: %d sent, %d blocked, %d failed, %d skipped, %d remaining\n",
		c.ID, p.Sent, p.Blocked, p.Failed, p.Skipped, p.Remaining())
	if p.Failed+p.Skipped > 0 {
		// The context may be over (Ctrl-C): the report still reads the file.
		if rerr := reportFailures(context.WithoutCancel(ctx), cmd.OutOrStdout(), store, c.ID); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}
	switch {
	case err != nil && ctx.Err() != nil:
		fmt.Fprintf(cmd.ErrOrStderr(), "stopped; resume with: herald broadcast --db %s --from-campaign %d\n", f.db, c.ID)
		return errors.New("interrupted")
	case err != nil:
		return err
	case p.Sent == 0 && p.Remaining() == 0:
		return &exitError{code: exitNothingSent, err: fmt.Errorf("campaign %d: no recipient got the message", c.ID)}
	}
	return nil
}

// exitNothingSent is the exit status of a campaign that ran to its end
// without sending a single message.
const exitNothingSent = 2

// reportFailures prints the reasons of the campaign's Failed and Skipped
// recipients, grouped by reason, most frequent first, with the first few
// chat ids of each.
func reportFailures(ctx context.Context, w io.Writer, store broadcast.Store, id int64) error {
	const page, shown = 500, 5
	for _, st := range []struct {
		status broadcast.Status
		label  string
	}{{broadcast.Failed, "failed"}, {broadcast.Skipped, "skipped"}} {
		chats := make(map[string][]int64)
		var reasons []string
		for after := int64(0); ; {
			recs, err := store.Recipients(ctx, id, st.status, after, page)
			if err != nil {
				return fmt.Errorf("campaign %d: %s recipients: %w", id, st.label, err)
			}
			for _, r := range recs {
				why := r.Error
				if why == "" {
					why = "no reason recorded"
				}
				if _, seen := chats[why]; !seen {
					reasons = append(reasons, why)
				}
				chats[why] = append(chats[why], r.Chat)
				after = r.Seq
			}
			if len(recs) < page {
				break
			}
		}
		slices.SortStableFunc(reasons, func(a, b string) int { return cmp.Compare(len(chats[b]), len(chats[a])) })
		for _, why := range reasons {
			ids := chats[why]
			list := make([]string, 0, shown)
			for _, chat := range ids[:min(len(ids), shown)] {
				list = append(list, strconv.FormatInt(chat, 10))
			}
			more := ""
			if len(ids) > shown {
				more = fmt.Sprintf(", … %d more", len(ids)-shown)
			}
			fmt.Fprintf(w, "  %s: %d × %s (chat %s%s)\n", st.label, len(ids), why, strings.Join(list, ", "), more)
		}
	}
	return nil
}

// campaignFor creates the campaign the flags describe, or loads the one
// to resume.
func campaignFor(ctx context.Context, cmd *cobra.Command, f *broadcastFlags, store broadcast.Store) (broadcast.Campaign, error) {
	if f.from != 0 {
		for _, name := range []string{"recipients", "text", "parse-mode", "button", "photo", "paid", "name"} {
			if cmd.Flags().Changed(name) {
				return broadcast.Campaign{}, fmt.Errorf("--%s: a resumed campaign keeps its own settings", name)
			}
		}
		return store.Campaign(ctx, f.from)
	}
	if f.recipients == "" || f.text == "" && f.photo == "" {
		return broadcast.Campaign{}, errors.New("give --recipients and --text (or --from-campaign ID to resume)")
	}
	msg := broadcast.Message{Text: f.text, ParseMode: f.parseMode, PhotoFileID: f.photo}
	for _, b := range f.buttons {
		label, url, ok := strings.Cut(b, "=")
		if !ok || label == "" || url == "" {
			return broadcast.Campaign{}, fmt.Errorf("--button %q: want label=url", b)
		}
		msg.Buttons = append(msg.Buttons, []broadcast.Button{{Text: label, URL: url}})
	}
	chats, err := readChatIDs(f.recipients)
	if err != nil {
		return broadcast.Campaign{}, err
	}
	c, err := store.Create(ctx, broadcast.Campaign{Name: f.name, Message: msg, Paid: f.paid}, chats, time.Now())
	if err != nil {
		return broadcast.Campaign{}, err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "campaign %d created: %d recipients\n", c.ID, c.Total)
	return c, nil
}

// readChatIDs reads one chat id per line.
func readChatIDs(path string) ([]int64, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	var ids []int64
	sc := bufio.NewScanner(file)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id == 0 {
			return nil, fmt.Errorf("%s:%d: %q is not a chat id", path, line, s)
		}
		ids = append(ids, id)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s: no chat ids", path)
	}
	return ids, nil
}

// newBroadcastListCmd returns "herald broadcast list".
func newBroadcastListCmd(f *broadcastFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the campaigns in --db with their progress",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			db, err := sqlite.Open(ctx, f.db, sqlite.Options{})
			if err != nil {
				return err
			}
			defer db.Close()
			store := db.Broadcasts()
			cs, err := store.Campaigns(ctx)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tCREATED\tTOTAL\tSENT\tBLOCKED\tFAILED\tSKIPPED\tREMAINING\tNAME")
			for _, c := range cs {
				p, err := store.Progress(ctx, c.ID)
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "%d\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", c.ID, c.Created.Format(time.DateTime),
					c.Total, p.Sent, p.Blocked, p.Failed, p.Skipped, p.Remaining(), c.Name)
			}
			return w.Flush()
		},
	}
}

// progressBar redraws one line with \r, at most once per interval.
type progressBar struct {
	w     io.Writer
	every time.Duration
	mu    sync.Mutex
	last  time.Time
}

func newProgressBar(w io.Writer, every time.Duration) *progressBar {
	return &progressBar{w: w, every: every}
}

func (b *progressBar) update(p broadcast.Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now := time.Now(); now.Sub(b.last) >= b.every {
		b.last = now
		b.draw(p)
	}
}

// finish draws the final state and ends the line.
func (b *progressBar) finish(p broadcast.Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.draw(p)
	fmt.Fprintln(b.w)
}

func (b *progressBar) draw(p broadcast.Progress) {
	const width = 30
	frac := 1.0
	if p.Total > 0 {
		frac = float64(p.Done()) / float64(p.Total)
	}
	fill := int(frac * width)
	eta := "--"
	if p.ETA > 0 {
		eta = p.ETA.Round(time.Second).String()
	} else if p.Remaining() == 0 {
		eta = "0s"
	}
	fmt.Fprintf(b.w, "\r[%s%s] %3.0f%% %d/%d  sent %d  blocked %d  failed %d  %.1f msg/s  ETA %s ",
		strings.Repeat("#", fill), strings.Repeat("-", width-fill), frac*100, p.Done(), p.Total,
		p.Sent, p.Blocked, p.Failed, p.Rate, eta)
}
