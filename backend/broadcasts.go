package backend

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Campaign is one mass send: a message for a list of recipients. The
// recipients and their states are kept by the Store, not in this value.
type Campaign struct {
	// ID is assigned by Store.Create.
	ID int64
	// Name is a free label for people (optional).
	Name string
	// Message is what every recipient gets.
	Message CampaignMessage
	// Paid sends with allow_paid_broadcast: up to 1000 messages/s for a
	// fee in Telegram Stars, when the limiter is configured for it
	// (limit.Config.PaidBroadcast).
	Paid bool
	// Created is set by Store.Create.
	Created time.Time
	// Total is the number of distinct recipients, set by Store.Create.
	Total int
}

// CampaignMessage is the content of a campaign: a text message, or a photo
// (an existing file_id) with Text as its caption.
type CampaignMessage struct {
	Text      string `json:"text"`
	ParseMode string `json:"parse_mode,omitzero"` // "", "HTML", "Markdown" or "MarkdownV2"
	// Buttons are rows of inline buttons under the message.
	Buttons [][]CampaignButton `json:"buttons,omitzero"`
	// PhotoFileID, when set, sends the photo with that file_id and Text
	// as its caption (sendPhoto) instead of a text message.
	PhotoFileID         string `json:"photo_file_id,omitzero"`
	DisableNotification bool   `json:"disable_notification,omitzero"`
	ProtectContent      bool   `json:"protect_content,omitzero"`
}

// CampaignButton is an inline button: a link (URL) or a callback (CallbackData).
type CampaignButton struct {
	Text         string `json:"text"`
	URL          string `json:"url,omitzero"`
	CallbackData string `json:"callback_data,omitzero"`
}

// Validate reports the first problem with m that would make every send
// fail, before a campaign is stored.
func (m CampaignMessage) Validate() error {
	limit, what := 4096, "text"
	if m.PhotoFileID != "" {
		limit, what = 1024, "caption"
	} else if m.Text == "" {
		return errors.New("broadcast: empty message text")
	}
	if n := len([]rune(m.Text)); n > limit {
		return fmt.Errorf("broadcast: %s of %d characters, at most %d", what, n, limit)
	}
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.Text == "" || (b.URL == "") == (b.CallbackData == "") {
				return fmt.Errorf("broadcast: button %q needs a text and exactly one of url and callback data", b.Text)
			}
		}
	}
	return nil
}

// RecipientStatus is where one recipient of a campaign stands.
type RecipientStatus string

// The recipient states. Pending and Sending are open; the others are
// final and never change again.
const (
	// RecipientPending: not sent yet (or to be tried again after a transient
	// failure).
	RecipientPending RecipientStatus = "pending"
	// RecipientSending: the request is on its way. Written right before the HTTP
	// request leaves, so a recipient found Sending after a crash may or
	// may not have the message: it is "in doubt" (see the package
	// documentation).
	RecipientSending RecipientStatus = "sending"
	// RecipientSent: delivered; Recipient.MessageID is the message's id.
	RecipientSent RecipientStatus = "sent"
	// RecipientBlocked: Telegram answered 403 (the user blocked the bot, or the
	// bot may not write to the chat).
	RecipientBlocked RecipientStatus = "blocked"
	// RecipientFailed: a permanent error, or transient ones on every attempt;
	// Recipient.Error says which.
	RecipientFailed RecipientStatus = "failed"
	// RecipientSkipped: not sent on purpose. The runner skips recipients left in
	// doubt by a crash rather than risk a second message.
	RecipientSkipped RecipientStatus = "skipped"
)

// Final reports whether s is a final state.
func (s RecipientStatus) Final() bool { return s != RecipientPending && s != RecipientSending }

// Valid reports whether s is one of the defined states.
func (s RecipientStatus) Valid() bool {
	switch s {
	case RecipientPending, RecipientSending, RecipientSent, RecipientBlocked, RecipientFailed, RecipientSkipped:
		return true
	}
	return false
}

// Recipient is one recipient of a campaign and its state.
type Recipient struct {
	// Seq is the recipient's position in the campaign (1, 2, …), in the
	// order given to Create.
	Seq  int64
	Chat int64
	// Status and the fields below change as the campaign runs.
	Status    RecipientStatus
	MessageID int64  // Sent
	Error     string // Blocked, Failed, Skipped: why
	Attempts  int    // sends tried
	Updated   time.Time
}

// CampaignProgress counts a campaign's recipients by state and, from Run, the
// rate of this run.
type CampaignProgress struct {
	Total, Pending, Sending, Sent, Blocked, Failed, Skipped int

	// Set by Run only: the results per second since the run started, the
	// time since then, and the time left at that rate (0 when unknown).
	Rate    float64
	Elapsed time.Duration
	ETA     time.Duration
}

// Remaining is the number of recipients not in a final state.
func (p CampaignProgress) Remaining() int { return p.Pending + p.Sending }

// Done is the number of recipients in a final state.
func (p CampaignProgress) Done() int { return p.Total - p.Remaining() }

// ErrCampaignNotFound is returned by a BroadcastStore for a campaign (or
// recipient) id it does not hold.
var ErrCampaignNotFound = errors.New("broadcast: not found")

// BroadcastStore keeps campaigns and the state of every recipient durably, so that
// a campaign survives the process and resumes where it stopped. Every
// engine implements it (Backend.Broadcasts).
//
// Times are passed in by the caller (broadcast.Run uses its clock), so a
// Store needs no clock of its own. Implementations must be safe for
// concurrent use.
type BroadcastStore interface {
	// Create stores c with recipients, all Pending, in the order given;
	// repeated chat ids are kept once. It returns c with ID, Created and
	// Total set.
	Create(ctx context.Context, c Campaign, recipients []int64, now time.Time) (Campaign, error)
	// Campaign returns the campaign id, or ErrCampaignNotFound.
	Campaign(ctx context.Context, id int64) (Campaign, error)
	// Campaigns returns every campaign, newest first.
	Campaigns(ctx context.Context) ([]Campaign, error)

	// Lease takes, renews or releases the campaign's runner lease, as a
	// compare-and-set: the lease becomes (owner, until) if its holder is
	// expect or it has expired at now; an owner "" releases it. It
	// returns the lease in force afterwards and whether it was set.
	Lease(ctx context.Context, id int64, expect, owner string, until, now time.Time) (CampaignLease, bool, error)

	// Recipients returns up to n recipients of campaign id whose status
	// is s and whose Seq is above after, in Seq order.
	Recipients(ctx context.Context, id int64, s RecipientStatus, after int64, n int) ([]Recipient, error)
	// Begin marks the recipient Sending at now (from Pending or
	// Sending); a recipient in a final state is left as it is.
	Begin(ctx context.Context, id, chat int64, now time.Time) error
	// Finish records an outcome for the recipient r.Chat: r.Status
	// (Pending to try again later, or a final state), r.MessageID,
	// r.Error and r.Attempts. A recipient already in a final state is left
	// as it is; a Status that is not one of the package's is an error.
	Finish(ctx context.Context, id int64, r Recipient, now time.Time) error
	// Progress counts the campaign's recipients by state (Rate, Elapsed
	// and ETA are zero).
	Progress(ctx context.Context, id int64) (CampaignProgress, error)
}

// CampaignLease says which runner may send a campaign's messages, until when.
// The zero CampaignLease is free.
type CampaignLease struct {
	Owner string
	Until time.Time
}

// Free reports whether nobody holds l at now.
func (l CampaignLease) Free(now time.Time) bool { return l.Owner == "" || !now.Before(l.Until) }

// UniqueRecipients returns ids without repeats, each kept where it first
// appears: the recipients that Create numbers 1, 2, … The result is a new
// slice; ids is left alone.
func UniqueRecipients(ids []int64) []int64 {
	seen := make(map[int64]struct{}, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if _, dup := seen[id]; !dup {
			seen[id] = struct{}{}
			out = append(out, id)
		}
	}
	return out
}
