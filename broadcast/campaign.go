package broadcast

import (
	"errors"

	"github.com/heraldbot/herald/backend"
)

// The campaign types are part of the broadcast store's contract and live
// in package backend; these names keep broadcast's API readable.
type (
	// Campaign is one mass send: a message for a list of recipients.
	Campaign = backend.Campaign
	// Message is the content of a campaign.
	Message = backend.CampaignMessage
	// Button is an inline button under a campaign's message.
	Button = backend.CampaignButton
	// Status is where one recipient stands.
	Status = backend.RecipientStatus
	// Recipient is one recipient of a campaign and its state.
	Recipient = backend.Recipient
	// Progress counts a campaign's recipients by state.
	Progress = backend.CampaignProgress
	// Lease says which runner may send a campaign's messages.
	Lease = backend.CampaignLease
	// Store keeps campaigns and recipients durably (every engine has one:
	// backend.Backend.Broadcasts).
	Store = backend.BroadcastStore
)

// The recipient states (see backend.RecipientStatus). Pending and Sending
// are open; the others are final and never change again.
const (
	Pending = backend.RecipientPending
	Sending = backend.RecipientSending
	Sent    = backend.RecipientSent
	Blocked = backend.RecipientBlocked
	Failed  = backend.RecipientFailed
	Skipped = backend.RecipientSkipped
)

// addProgress moves one recipient of p from state from to state to.
func addProgress(p *Progress, from, to Status) {
	*countOf(p, from)--
	*countOf(p, to)++
}

func countOf(p *Progress, s Status) *int {
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
	// ErrNotFound: no campaign (or recipient) with that id
	// (backend.ErrCampaignNotFound).
	ErrNotFound = backend.ErrCampaignNotFound
	// ErrBusy: another live runner holds the campaign's lease.
	ErrBusy = errors.New("broadcast: campaign is being run by another runner")
	// ErrLeaseLost: the lease was taken over while this runner ran (its
	// renewals failed for longer than the lease); the run stopped.
	ErrLeaseLost = errors.New("broadcast: campaign lease lost")
)
