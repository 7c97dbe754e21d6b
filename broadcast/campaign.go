package broadcast

import (
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
	Message Message
	// Paid sends with allow_paid_broadcast: up to 1000 messages/s for a
	// fee in Telegram Stars, when the limiter is configured for it
	// (limit.Config.PaidBroadcast).
	Paid bool
	// Created is set by Store.Create.
	Created time.Time
	// Total is the number of distinct recipients, set by Store.Create.
	Total int
}

// Message is the content of a campaign: a text message, or a photo
// (an existing file_id) with Text as its caption.
type Message struct {
	Text      string `json:"text"`
	ParseMode string `json:"parse_mode,omitzero"` // "", "HTML", "Markdown" or "MarkdownV2"
	// Buttons are rows of inline buttons under the message.
	Buttons [][]Button `json:"buttons,omitzero"`
	// PhotoFileID, when set, sends the photo with that file_id and Text
	// as its caption (sendPhoto) instead of a text message.
	PhotoFileID         string `json:"photo_file_id,omitzero"`
	DisableNotification bool   `json:"disable_notification,omitzero"`
	ProtectContent      bool   `json:"protect_content,omitzero"`
}

// Button is an inline button: a link (URL) or a callback (CallbackData).
type Button struct {
	Text         string `json:"text"`
	URL          string `json:"url,omitzero"`
	CallbackData string `json:"callback_data,omitzero"`
}

// Validate reports the first problem with m that would make every send
// fail, before a campaign is stored.
func (m Message) Validate() error {
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

// Status is where one recipient stands.
type Status string

// The recipient states. Pending and Sending are open; the others are
// final and never change again.
const (
	// Pending: not sent yet (or to be tried again after a transient
	// failure).
	Pending Status = "pending"
	// Sending: the request is on its way. Written right before the HTTP
	// request leaves, so a recipient found Sending after a crash may or
	// may not have the message: it is "in doubt" (see the package
	// documentation).
	Sending Status = "sending"
	// Sent: delivered; Recipient.MessageID is the message's id.
	Sent Status = "sent"
	// Blocked: Telegram answered 403 (the user blocked the bot, or the
	// bot may not write to the chat).
	Blocked Status = "blocked"
	// Failed: a permanent error, or transient ones on every attempt;
	// Recipient.Error says which.
	Failed Status = "failed"
	// Skipped: not sent on purpose. The runner skips recipients left in
	// doubt by a crash rather than risk a second message.
	Skipped Status = "skipped"
)

// Final reports whether s is a final state.
func (s Status) Final() bool { return s != Pending && s != Sending }

// Valid reports whether s is one of the defined states.
func (s Status) Valid() bool {
	switch s {
	case Pending, Sending, Sent, Blocked, Failed, Skipped:
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
	Status    Status
	MessageID int64  // Sent
	Error     string // Blocked, Failed, Skipped: why
	Attempts  int    // sends tried
	Updated   time.Time
}

// Progress counts a campaign's recipients by state and, from Run, the
// rate of this run.
type Progress struct {
	Total, Pending, Sending, Sent, Blocked, Failed, Skipped int

	// Set by Run only: the results per second since the run started, the
	// time since then, and the time left at that rate (0 when unknown).
	Rate    float64
	Elapsed time.Duration
	ETA     time.Duration
}

// Remaining is the number of recipients not in a final state.
func (p Progress) Remaining() int { return p.Pending + p.Sending }

// Done is the number of recipients in a final state.
func (p Progress) Done() int { return p.Total - p.Remaining() }

// add moves one recipient from state from to state to.
func (p *Progress) add(from, to Status) {
	*p.count(from)--
	*p.count(to)++
}

func (p *Progress) count(s Status) *int {
	switch s {
	case Pending:
		return &p.Pending
	case Sending:
		return &p.Sending
	case Sent:
		return &p.Sent
	case Blocked:
		return &p.Blocked
	case Failed:
		return &p.Failed
	}
	return &p.Skipped
}

// Errors of Store implementations and Run.
var (
	// ErrNotFound: no campaign (or recipient) with that id.
	ErrNotFound = errors.New("broadcast: not found")
	// ErrBusy: another live runner holds the campaign's lease.
	ErrBusy = errors.New("broadcast: campaign is being run by another runner")
	// ErrLeaseLost: the lease was taken over while this runner ran (its
	// renewals failed for longer than the lease); the run stopped.
	ErrLeaseLost = errors.New("broadcast: campaign lease lost")
)
